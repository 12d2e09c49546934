"""Arches of the Poolrooms: inside each doorway, under its header, facing the right way."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import doorway_edges, planarity_error, preset_specs

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.arches import STRIPS
from backrooms_addon.core.levels import preset_spec

poolrooms = preset_specs("LEVEL_37", smallest=6, far=500, density=st.floats(0.2, 1.0))


def _runs(doors: np.ndarray) -> list[tuple[int, int, int]]:
    """(line, first edge, last edge) of each run of doorway edges, one line at a time."""
    runs = []
    for line, row in enumerate(doors.tolist()):
        i = 0
        while i < len(row):
            if row[i]:
                j = i
                while j + 1 < len(row) and row[j + 1]:
                    j += 1
                runs.append((line, i, j))
                i = j
            i += 1
    return runs


def _doorway_boxes(spec: LevelSpec) -> np.ndarray:
    """Independent of the generator's arch code: each doorway's opening as a box (x0, y0, x1, y1)
    in metres, from jamb to jamb (post faces) and from wall face to wall face."""
    layout = plan_level(spec).floors[0].layout
    half, cell = spec.wall_thickness / 2, spec.cell_size
    boxes = []
    for line, first, last in _runs(doorway_edges(layout.walls_h)):
        boxes.append((first * cell + half, line * cell - half, (last + 1) * cell - half, line * cell + half))
    for line, first, last in _runs(doorway_edges(layout.walls_v.T)):
        boxes.append((line * cell - half, first * cell + half, line * cell + half, (last + 1) * cell - half))
    return np.array(boxes, np.float64).reshape(-1, 4)


@settings(max_examples=30, deadline=None)
@given(spec=poolrooms)
def test_arches_fill_doorway_tops_and_face_outwards(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    boxes = _doorway_boxes(spec)
    arches = plan.meshes.get("arches")
    if not len(boxes):
        assert arches is None or arches.face_count == 0
        return
    assert arches is not None
    corners = arches.vertices.reshape(-1, 4, 3).astype(np.float64)
    assert arches.areas().min() > 1e-5 and planarity_error(arches) < 1e-4
    assert (corners[:, :, 2] <= spec.door_height + 1e-5).all() and (corners[:, :, 2] > 0.5).all()
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    inside = (
        (lo[:, None, 0] >= boxes[None, :, 0] - 1e-4)
        & (lo[:, None, 1] >= boxes[None, :, 1] - 1e-4)
        & (hi[:, None, 0] <= boxes[None, :, 2] + 1e-4)
        & (hi[:, None, 1] <= boxes[None, :, 3] + 1e-4)
    )
    assert inside.any(axis=1).all(), "every arch face lies in a doorway's opening"
    assert arches.face_count == 3 * STRIPS * len(boxes), "one arch per doorway"
    normals = arches.normals()
    upright = np.abs(normals[:, 2]) < 1e-3
    assert (np.abs(normals[upright, :2]).max(axis=1) > 0.999).all(), "spandrels lie in the wall faces"
    assert (normals[~upright, 2] < 0).all(), "the intrados looks down into the opening"


def test_only_styles_with_arches_have_them() -> None:
    assert "arches" not in plan_level(LevelSpec(seed=3)).meshes
    assert plan_level(preset_spec("LEVEL_37", seed=3)).meshes["arches"].face_count > 0
