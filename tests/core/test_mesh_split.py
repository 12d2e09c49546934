"""Splitting a mesh by piece: exactly the faces of each piece, in their order, with every array."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from backrooms_addon.core.geometry import piece_order, quad_mesh


@given(st.integers(1, 200), st.sampled_from([(0, 3), (0, 300), (0, 70_000), (-5, 5)]), st.integers(0, 2**32 - 1))
def test_split_gives_each_piece_its_faces_in_order(count: int, span: tuple[int, int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    pieces = rng.integers(*span, count).astype(np.int32)
    mesh = quad_mesh(rng.random((count, 4, 3)), rng.random((count, 4, 2)), 0, ("a",), pieces)
    materials, lightmap = rng.integers(0, 3, count).astype(np.int32), rng.random((4 * count, 2)).astype(np.float32)
    mesh = dataclasses.replace(mesh, material_indices=materials, lightmap=lightmap)
    split = mesh.split()
    assert [piece for piece, _ in split] == np.unique(pieces).tolist()
    for piece, part in split:
        faces = np.flatnonzero(pieces == piece)
        loops = (faces[:, None] * 4 + np.arange(4)).ravel()
        assert part.vertices.tobytes() == mesh.vertices[loops].tobytes()
        assert part.uvs.tobytes() == mesh.uvs[loops].tobytes()
        assert part.lightmap is not None and part.lightmap.tobytes() == mesh.lightmap[loops].tobytes()
        assert part.material_indices.tobytes() == mesh.material_indices[faces].tobytes()
        assert part.pieces.tobytes() == pieces[faces].tobytes()
        np.testing.assert_array_equal(part.faces, np.arange(4 * len(faces)).reshape(-1, 4))


@given(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=50))
def test_piece_order_is_a_stable_sort(pieces: list[int]) -> None:
    array = np.array(pieces, np.int32)
    np.testing.assert_array_equal(piece_order(array), np.argsort(array, kind="stable"))
