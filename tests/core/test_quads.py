"""Upright quads: every face's corners and metre UVs, however many faces there are."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backrooms_addon.core.geometry import BLOCK, vertical_faces


@settings(max_examples=10)
@given(st.sampled_from([1, 3, BLOCK, BLOCK + 3]), st.integers(0, 2**32 - 1))
def test_vertical_faces_stand_on_their_bottom_edges(count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x0, y0 = rng.random((2, count)) * 100
    along_x = rng.random(count) < 0.5
    length = rng.choice([-2.4, -0.15, 0.15, 2.4], count)
    x1, y1 = x0 + np.where(along_x, length, 0), y0 + np.where(along_x, 0, length)
    faces = vertical_faces(x0, y0, x1, y1, 0.1, 2.8, 3)
    # Counter-clockwise from the front: bottom start, bottom end, top end, top start.
    x, y = np.stack([x0, x1, x1, x0], axis=1), np.stack([y0, y1, y1, y0], axis=1)
    z = np.broadcast_to([0.1, 0.1, 2.8, 2.8], (count, 4))
    assert faces.corners.tobytes() == np.stack([x, y, z], axis=2).astype(np.float32).tobytes()
    dx, dy = np.sign(x1 - x0), np.sign(y1 - y0)
    u = dx[:, None] * x + dy[:, None] * y
    assert faces.uvs.tobytes() == np.stack([u, z], axis=2).astype(np.float32).tobytes()
    assert faces.material == 3
