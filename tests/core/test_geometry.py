"""Meshes: valid quads of real size, closed wall solids facing the walkable space, metre UVs, lightmaps."""

from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from level_checks import geometry_specs, inside_solid, planarity_error, quad_corners

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.geometry import (
    BASEBOARD,
    PILLAR_MAX_M,
    PILLAR_SHARE,
    SHARED_QUADS,
    MeshArrays,
    Pieces,
    quad_edges,
    quad_faces,
    quad_loop_starts,
    wall_mesh,
)
from backrooms_addon.core.layout import Layout
from backrooms_addon.core.plan import wall_style

# Mesh hashes of a reference level: the same bytes on every numpy and Blender version. Generator 4
# opens a doorway in it: its closed 40 x 30 cells fell into two sealed areas (core/joins.py).
GOLDEN_MESH = "40342d6591fbe124b34aea40ebd2ec8fe6a02c049256f22f046e0c1171e9fa53"


def _consistent(mesh: MeshArrays) -> None:
    count = mesh.face_count
    assert mesh.faces.shape == (count, 4) and mesh.faces.dtype == np.int32
    assert mesh.vertices.shape == (4 * count, 3) and mesh.vertices.dtype == np.float32
    assert mesh.uvs.shape == (4 * count, 2)
    assert mesh.lightmap is not None and mesh.lightmap.shape == (4 * count, 2)
    assert mesh.material_indices.shape == (count,) and mesh.pieces.shape == (count,)
    assert ((mesh.material_indices >= 0) & (mesh.material_indices < len(mesh.materials))).all()
    assert np.isfinite(mesh.vertices).all() and np.isfinite(mesh.uvs).all()


@given(geometry_specs)
def test_every_mesh_is_valid_quads_without_duplicates(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    for mesh in plan.meshes.values():
        _consistent(mesh)
        if mesh.face_count:
            assert mesh.areas().min() > 1e-4, "no degenerate faces"
            assert planarity_error(mesh) < 1e-4
            keys = {tuple(sorted(map(tuple, np.round(q, 4).tolist()))) for q in quad_corners(mesh)}
            assert len(keys) == mesh.face_count, "no duplicate faces"


@given(geometry_specs)
def test_wall_faces_sit_on_the_solid_and_face_the_walkable_space(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    style = wall_style(spec)
    layout = plan.floors[0].layout  # as built: with the perimeter and its joins, if it has them
    mesh = plan.meshes["walls"]
    if not mesh.face_count:  # an open piece of the world without a closed perimeter: nothing to check
        assert not spec.perimeter
        return
    q = quad_corners(mesh)
    normals = mesh.normals().astype(np.float64)
    fractions = np.linspace(0.05, 0.95, 7)
    # Points spread over each face: along its bottom edge, at a few heights within it.
    along = q[:, :1] + fractions[None, :, None] * (q[:, 1:2] - q[:, :1])
    heights = q[:, :1, 2:] + np.array([0.25, 0.5, 0.75])[None, :, None] * (q[:, 3:4, 2:] - q[:, :1, 2:])
    points = np.concatenate(
        [
            np.broadcast_to(along[:, :, None, :2], (len(q), 7, 3, 2)),
            np.broadcast_to(heights[:, None], (len(q), 7, 3, 1)),
        ],
        axis=-1,
    ).reshape(len(q), -1, 3)
    vertical = np.abs(normals[:, 2]) < 0.5
    points, normals = points[vertical], normals[vertical]
    step = min(0.01, spec.wall_thickness / 4)
    flat = points.reshape(-1, 3)
    offset = np.repeat(normals, points.shape[1], axis=0) * step
    front = inside_solid(layout, style, flat + offset).reshape(points.shape[:2])
    back = inside_solid(layout, style, flat - offset).reshape(points.shape[:2])
    assert back.all(), f"{(~back.all(axis=1)).sum()} faces are not on the solid's surface"
    assert not front.any(), f"{front.any(axis=1).sum()} faces face into the solid or are hidden in it"


@given(geometry_specs)
def test_wall_solids_are_closed(spec: LevelSpec) -> None:
    """At any height, the wall faces crossing it join end to end into closed outlines."""
    plan = plan_level(spec)
    q = quad_corners(plan.meshes["walls"])
    vertical = np.abs(q[:, 0, 2] - q[:, 3, 2]) > 1e-6
    q = q[vertical]
    levels = [0.05, 1.0, (spec.door_height + spec.wall_height) / 2 if spec.door_height < spec.wall_height else 2.5]
    for z in levels:
        crossing = q[(q[:, 0, 2] < z) & (q[:, 3, 2] > z)]
        ends = Counter(tuple(p) for p in np.round(crossing[:, :2, :2], 4).reshape(-1, 2).tolist())
        assert all(count == 2 for count in ends.values()), f"open outline at z={z}"


def test_no_two_faces_overlap() -> None:
    spec = LevelSpec(seed=12, width=40, depth=40, density=0.7)
    mesh = plan_level(spec).meshes["walls"]
    q = quad_corners(mesh)
    normals = np.round(mesh.normals(), 3)
    offset = np.round(np.einsum("ij,ij->i", q[:, 0], normals), 4)
    lo, hi = q.min(axis=1), q.max(axis=1)
    groups: dict[tuple, list[int]] = {}
    for index, key in enumerate(zip(map(tuple, normals.tolist()), offset.tolist(), strict=True)):
        groups.setdefault(key, []).append(index)
    for members in groups.values():
        m = np.array(members)
        overlap = np.minimum(hi[m][:, None], hi[m][None]) - np.maximum(lo[m][:, None], lo[m][None])
        # Two faces on one plane overlap if their extents overlap in both in-plane directions.
        positive = (overlap > 1e-5).sum(axis=2) >= 2
        np.fill_diagonal(positive, False)
        assert not positive.any(), "coplanar faces overlap"


@given(geometry_specs)
def test_uvs_are_metres_and_lightmaps_do_not_overlap(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    for kind in ("walls", "floor", "ceiling"):
        mesh = plan.meshes[kind]
        if not mesh.face_count:
            continue
        q = quad_corners(mesh)
        uv = mesh.uvs.reshape(-1, 4, 2).astype(np.float64)
        edge_3d = np.linalg.norm(np.roll(q, -1, axis=1) - q, axis=2)
        edge_uv = np.linalg.norm(np.roll(uv, -1, axis=1) - uv, axis=2)
        np.testing.assert_allclose(edge_uv, edge_3d, atol=2e-3)  # a 1 m edge spans 1 UV unit
        light = mesh.lightmap.reshape(-1, 4, 2)
        assert light.min() >= 0 and light.max() <= 1
        lo, hi = light.min(axis=1), light.max(axis=1)
        for piece in np.unique(mesh.pieces):
            m = mesh.pieces == piece
            overlap = np.minimum(hi[m][:, None], hi[m][None]) - np.maximum(lo[m][:, None], lo[m][None])
            clash = (overlap > 0).all(axis=2)
            np.fill_diagonal(clash, False)
            assert not clash.any(), f"{kind}: lightmap islands overlap in piece {piece}"


@given(geometry_specs)
def test_every_face_lies_in_its_piece(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    size = spec.piece_cells * spec.cell_size
    half = spec.wall_thickness / 2
    for mesh in plan.meshes.values():
        if not mesh.face_count:
            continue
        q = quad_corners(mesh)
        column, row = np.divmod(mesh.pieces, plan.pieces.columns)[::-1]
        assert (mesh.pieces < plan.pieces.count).all()
        assert (q[:, :, 0].min(axis=1) >= column * size - half - 1e-4).all()
        assert (q[:, :, 0].max(axis=1) <= (column + 1) * size + half + 1e-4).all()
        assert (q[:, :, 1].min(axis=1) >= row * size - half - 1e-4).all()
        assert (q[:, :, 1].max(axis=1) <= (row + 1) * size + half + 1e-4).all()


def test_a_doorway_gets_a_header_and_a_soffit() -> None:
    # One wall across a 5 x 2 region with a single-cell gap in the middle.
    walls_h = np.zeros((3, 5), bool)
    walls_h[1] = [True, True, False, True, True]
    layout = Layout(walls_h, np.zeros((2, 6), bool), np.zeros((2, 5), bool))
    spec = LevelSpec(width=5, depth=2, cell_size=2.0, wall_height=3.0, door_height=2.2)
    mesh = wall_mesh(layout, wall_style(spec), Pieces.covering(5, 2, 16))
    q = quad_corners(mesh)
    normals = mesh.normals()
    soffit = np.nonzero(normals[:, 2] < -0.5)[0]
    assert len(soffit) == 1
    np.testing.assert_allclose(q[soffit[0], :, 2], 2.2)
    assert q[soffit[0], :, 0].min() == pytest.approx(4.0 + 0.075) and q[soffit[0], :, 0].max() == pytest.approx(
        6.0 - 0.075
    )
    # Header sides: above the door only, facing both ways across the gap.
    header = np.isclose(q[:, 0, 2], 2.2) & (np.abs(normals[:, 1]) > 0.5)
    assert header.sum() == 2
    # Jambs: the wall ends at the gap, floor to door height, facing into it.
    jambs = (np.abs(normals[:, 0]) > 0.5) & (q[:, :, 0].min(axis=1) > 3.5) & (q[:, :, 0].max(axis=1) < 6.5)
    assert jambs.sum() == 4  # two jambs, each a baseboard band and a wall band
    no_headers = wall_mesh(layout, wall_style(spec.replace(door_height=3.0)), Pieces.covering(5, 2, 16))
    assert not (no_headers.normals()[:, 2] < -0.5).any()


def test_baseboard_band() -> None:
    spec = LevelSpec(seed=3, width=16, depth=16, baseboard_height=0.12)
    mesh = plan_level(spec).meshes["walls"]
    q = quad_corners(mesh)
    board = mesh.material_indices == BASEBOARD
    assert board.any() and mesh.materials[BASEBOARD] == "baseboard"
    np.testing.assert_allclose(q[board][:, :, 2].max(axis=1), 0.12, atol=1e-6)
    np.testing.assert_allclose(q[~board][:, :, 2].min(axis=1)[q[~board][:, :, 2].min(axis=1) < 0.5], 0.12, atol=1e-6)


def test_pillars_are_columns_in_their_cells() -> None:
    spec = LevelSpec(seed=2, width=40, depth=40, density=0.1)
    plan = plan_level(spec)
    solid = plan.layout.solid
    assert solid.sum() >= 5
    mesh = plan.meshes["walls"]
    q = quad_corners(mesh)
    side = min(PILLAR_SHARE * spec.cell_size, PILLAR_MAX_M)
    centre = q.mean(axis=1)[:, :2] / spec.cell_size
    in_cell_middle = np.abs(centre - np.floor(centre) - 0.5).max(axis=1) < 0.45
    columns = q[in_cell_middle]
    assert len(columns) == 8 * solid.sum()  # four sides, two bands each
    np.testing.assert_allclose(np.ptp(columns[:, :, :2], axis=1).max(axis=1), side, rtol=1e-5)


def test_floor_up_ceiling_down_fixtures_down() -> None:
    plan = plan_level(LevelSpec(seed=2, width=70, depth=40, piece_chunks=1))
    assert np.allclose(plan.meshes["floor"].normals(), [0, 0, 1])
    assert np.allclose(plan.meshes["ceiling"].normals(), [0, 0, -1])
    assert plan.meshes["floor"].face_count == plan.pieces.count == 5 * 3
    fixtures = plan.meshes["fixtures"]
    # Each troffer: outer sides facing out, a lip and the diffuser facing down, inner sides facing in.
    normals = fixtures.normals()
    assert (normals[:, 2] <= 1e-6).all(), "nothing of a troffer faces the ceiling"
    assert fixtures.vertices[:, 2].max() <= plan.spec.wall_height + 1e-5
    width_m, depth_m = plan.size_m
    assert float(plan.meshes["floor"].areas().sum()) == pytest.approx(width_m * depth_m)


def _mesh_digest(plan) -> str:  # type: ignore[no-untyped-def]
    sha = hashlib.sha256()
    for mesh in plan.meshes.values():
        for array in (mesh.vertices, mesh.uvs, mesh.lightmap, mesh.material_indices, mesh.pieces):
            sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()


def test_mesh_bytes_match_the_golden_hash() -> None:
    assert _mesh_digest(plan_level(LevelSpec(seed=21, width=40, depth=30))) == GOLDEN_MESH


def test_a_troffer_is_a_box_hanging_from_the_ceiling() -> None:
    from backrooms_addon.core.troffer import DIFFUSER, HANG, troffer_template

    troffer = troffer_template(0.6, 1.2)
    q = quad_corners(troffer)
    normals = troffer.normals()
    face = troffer.material_indices == DIFFUSER
    assert face.sum() == 1 and np.allclose(normals[face], [0, 0, -1])
    np.testing.assert_allclose(q[face][0, :, 2], -HANG, atol=1e-6)
    assert np.ptp(q[:, :, 0]) == pytest.approx(0.6) and np.ptp(q[:, :, 1]) == pytest.approx(1.2)
    sides = q[~face]
    assert len(sides) == 4 and np.allclose(np.abs(normals[~face][:, 2]), 0)
    # The sides face outwards: from the troffer's middle, along their normal.
    outward = np.einsum("ij,ij->i", sides.mean(axis=1)[:, :2], normals[~face][:, :2])
    assert (outward > 0).all()
    face_uv = troffer.uvs.reshape(-1, 4, 2)[face]
    assert face_uv.min() == pytest.approx(0, abs=1e-6) and face_uv.max() == pytest.approx(1, abs=1e-6)


@given(st.sampled_from([0, 1, 2, 7, SHARED_QUADS - 1, SHARED_QUADS, SHARED_QUADS + 1]) | st.integers(0, 5000))
def test_quad_faces_and_their_edges_are_what_they_stand_for(count: int) -> None:
    faces = quad_faces(count)
    np.testing.assert_array_equal(faces, np.arange(4 * count, dtype=np.int32).reshape(count, 4))
    assert faces.dtype == np.int32 and faces.flags.c_contiguous
    # Every corner to the next one round its face, for the shared faces and for a copy alike.
    expected = np.stack([faces, np.roll(faces, -1, axis=1)], axis=-1).reshape(-1, 2)
    for given_faces in (faces, faces.copy()):
        edges = quad_edges(given_faces)
        assert edges.dtype == np.int32 and edges.flags.c_contiguous
        np.testing.assert_array_equal(edges, expected)
    # Each quad's corners start where its face's first corner is.
    starts = quad_loop_starts(count)
    assert starts.dtype == np.int32 and starts.flags.c_contiguous
    np.testing.assert_array_equal(starts, faces[:, 0])


def test_shared_quad_faces_cannot_be_changed_through_a_mesh() -> None:
    faces = quad_faces(3)
    with pytest.raises(ValueError, match="read-only"):
        faces[0, 0] = 5
    with pytest.raises(ValueError, match="read-only"):
        quad_edges(faces)[0, 0] = 5
    with pytest.raises(ValueError, match="read-only"):
        quad_loop_starts(3)[1] = 5
    assert quad_faces(3)[0, 0] == 0 and quad_loop_starts(3)[1] == 4


def test_edges_of_faces_that_are_not_in_order_are_their_own() -> None:
    faces = np.array([[4, 5, 6, 7], [0, 1, 2, 3]], np.int32)
    np.testing.assert_array_equal(quad_edges(faces), [[4, 5], [5, 6], [6, 7], [7, 4], [0, 1], [1, 2], [2, 3], [3, 0]])
    # A slice of the shared faces that does not begin at the first quad is not taken for them.
    shifted = quad_faces(4)[1:]
    np.testing.assert_array_equal(quad_edges(shifted)[0], [4, 5])
