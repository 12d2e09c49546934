"""Stacked floors of the levels whose layouts have no open floor round a stair (Level 2's tunnels,
Level !'s corridor): a stair joins every floor to the next, each floor stays one walkable area, and
nothing of the level stands or hangs in a stairwell."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from level_checks import floor_areas, unaligned_preset_specs

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.floors import STAIR_CELLS
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.plan import FloorPlan, LevelPlan

KEYS = ["LEVEL_2", "LEVEL_RUN"]
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _stacked(key: str) -> st.SearchStrategy[LevelSpec]:
    """At least 31 cells across, so that a whole chunk (16 cells) lies in the region whatever its place."""
    extra = {"floors": st.integers(2, 3), "pitfall_density": st.sampled_from([0.0, 0.2])}
    return unaligned_preset_specs(key, smallest=31, **extra)


def _runs(lower: FloorPlan, upper: FloorPlan) -> np.ndarray:
    """Cells of the stair runs from `lower` up to `upper`: stairs on the lower floor (occupied), under
    an opening in its ceiling and in the upper floor, STAIR_CELLS of them in a row along x."""
    joined = lower.occupied & lower.ceiling_holes & upper.floor_holes
    runs = np.zeros_like(joined)
    for y, x in np.argwhere(joined):
        if x + STAIR_CELLS <= joined.shape[1] and joined[y, x : x + STAIR_CELLS].all():
            runs[y, x : x + STAIR_CELLS] = True
    return runs


def _stairwells(plan: LevelPlan) -> list[np.ndarray]:
    """Per floor, the cells of the stair runs leaving it and arriving in it."""
    cells = [np.zeros_like(floor.floor_holes) for floor in plan.floors]
    for index, (lower, upper) in enumerate(zip(plan.floors, plan.floors[1:], strict=False)):
        runs = _runs(lower, upper)
        cells[index] |= runs
        cells[index + 1] |= runs
    return cells


def _ring(cells: np.ndarray) -> np.ndarray:
    """The cells and every cell touching one of them, corners included."""
    around = cells.copy()
    for y, x in np.argwhere(cells):
        around[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = True
    return around


def _placed(plan: LevelPlan, kind: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per floor, the cells (x, y) of the middles of the mesh's faces on that floor, leaving out
    middles on a cell border (which two cells share)."""
    corners = plan.meshes[kind].vertices.reshape(-1, 4, 3).astype(np.float64)
    middles = corners.mean(axis=1)
    bases = np.array([floor.base_z for floor in plan.floors])
    floor_of = np.searchsorted(bases, middles[:, 2] + 1e-6, side="right") - 1
    cell = plan.spec.cell_size
    found = []
    for index in range(len(plan.floors)):
        x, y = middles[floor_of == index, 0] / cell, middles[floor_of == index, 1] / cell
        strictly = (np.abs(x - np.rint(x)) > 1e-3) & (np.abs(y - np.rint(y)) > 1e-3)
        found.append((np.floor(x[strictly]).astype(int), np.floor(y[strictly]).astype(int)))
    return found


@pytest.mark.parametrize("key", KEYS)
@FEW
@given(data=st.data())
def test_a_stair_joins_every_floor_to_the_next(key: str, data: st.DataObject) -> None:
    plan = plan_level(data.draw(_stacked(key)))
    assert "stairs" in plan.meshes
    for lower, upper in zip(plan.floors, plan.floors[1:], strict=False):
        assert _runs(lower, upper).any(), "a stair up from every floor but the top"


@pytest.mark.parametrize("key", KEYS)
@FEW
@given(data=st.data())
def test_every_floor_stays_one_walkable_area_round_its_stairwells(key: str, data: st.DataObject) -> None:
    """Neither holes nor stairs (what stands under an opening in the ceiling) are walked through.
    (Crates are another matter: test_level_run.py.)"""
    plan = plan_level(data.draw(_stacked(key)))
    for floor in plan.floors:
        stairs = floor.occupied & floor.ceiling_holes
        assert floor_areas(floor.layout, floor.floor_holes | stairs) == 1


@pytest.mark.parametrize("seed", [0, 7, 21])
def test_no_pipe_runs_through_a_stairwell(seed: int) -> None:
    plan = plan_level(preset_spec("LEVEL_2", seed=seed, width=40, depth=40, floors=3))
    wells = _stairwells(plan)
    assert all(cells.any() for cells in wells)
    for cells, (x, y) in zip(wells, _placed(plan, "pipes"), strict=True):
        assert len(x) and not cells[y, x].any()


@pytest.mark.parametrize("seed", [0, 7, 21])
def test_no_obstacle_stands_in_or_beside_a_stairwell(seed: int) -> None:
    """Beside one neither: the corridor's other two rows are the way round it."""
    plan = plan_level(preset_spec("LEVEL_RUN", seed=seed, width=60, depth=40, floors=3))
    wells = _stairwells(plan)
    assert all(cells.any() for cells in wells)
    for cells, (x, y) in zip(wells, _placed(plan, "run_obstacles"), strict=True):
        assert len(x) and not _ring(cells)[y, x].any()


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("cut", [32, 27])
def test_regions_side_by_side_make_the_stacked_floors_of_the_whole(key: str, cut: int) -> None:
    """The walls (cleared round a stairwell or not) wherever the cut falls; the holes too where it
    falls on a chunk border (a stairwell a cut goes through is in neither region)."""
    spec = preset_spec(key, seed=5, width=64, depth=32, floors=2, perimeter=False, origin=(-16, 48))
    whole = plan_level(spec)
    west = plan_level(spec.replace(width=cut))
    east = plan_level(spec.replace(width=64 - cut, origin=(-16 + cut, 48)))
    assert plan_level(spec).floors[1].layout.digest() == whole.floors[1].layout.digest()
    for floor, (all_of, one, other) in enumerate(zip(whole.floors, west.floors, east.floors, strict=True)):
        for name in ("walls_h", "solid"):
            joined = np.concatenate([getattr(one.layout, name), getattr(other.layout, name)], axis=1)
            assert (joined == getattr(all_of.layout, name)).all(), (floor, name)
        assert (all_of.layout.walls_v[:, : cut + 1] == one.layout.walls_v).all()
        assert (all_of.layout.walls_v[:, cut:] == other.layout.walls_v).all()
        for holes in ("floor_holes", "ceiling_holes"):
            joined = np.concatenate([getattr(one, holes), getattr(other, holes)], axis=1)
            assert cut != 32 or (joined == getattr(all_of, holes)).all(), (floor, holes)
        assert all_of.floor_holes.any() or all_of.ceiling_holes.any()
