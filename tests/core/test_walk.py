"""Walking routes, checked against the layout's geometry by code of their own."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.plan import LevelPlan, plan_level
from backrooms_addon.core.spec import LevelSpec
from backrooms_addon.core.walk import Route, plan_route

CLEARANCE = 0.25
MAX_TURN = 3.5  # radians per second the view may turn


@st.composite
def small_specs(draw: st.DrawFn) -> LevelSpec:
    """A small level of any preset, anywhere in the world, its edges off the chunk borders."""
    key = draw(st.sampled_from(sorted(LEVEL_PRESETS)))
    spec = preset_spec(
        key,
        seed=draw(st.integers(0, 2**40)),
        width=draw(st.integers(3, 14)),
        depth=draw(st.integers(3, 14)),
        origin=(draw(st.integers(-(10**8), 10**8)), draw(st.integers(-(10**8), 10**8))),
    )
    return spec


@cache
def level0(seed: int, size: int = 32) -> LevelPlan:
    return plan_level(preset_spec("LEVEL_0", seed=seed, width=size, depth=size))


def wall_boxes(plan: LevelPlan) -> np.ndarray:
    """(k, 4) boxes (centre x, centre y, half x, half y) of every wall, half a thickness past its ends."""
    layout, c, t = plan.floors[0].layout, plan.spec.cell_size, plan.spec.wall_thickness
    j, i = np.nonzero(layout.walls_h)
    along_x = np.column_stack([(i + 0.5) * c, j * c, np.full(len(i), (c + t) / 2), np.full(len(i), t / 2)])
    j, i = np.nonzero(layout.walls_v)
    along_y = np.column_stack([i * c, (j + 0.5) * c, np.full(len(i), t / 2), np.full(len(i), (c + t) / 2)])
    return np.concatenate([along_x, along_y])


def cell_boxes(plan: LevelPlan, cells: np.ndarray) -> np.ndarray:
    """(k, 4) boxes of whole cells."""
    c = plan.spec.cell_size
    j, i = np.nonzero(cells)
    return np.column_stack([(i + 0.5) * c, (j + 0.5) * c, np.full(len(i), c / 2), np.full(len(i), c / 2)])


def distance_to_boxes(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Per point, the distance to the nearest box (infinite without boxes)."""
    nearest = np.full(len(points), np.inf)
    for begin in range(0, len(points), 256):
        p = points[begin : begin + 256, None, :2]
        gap = np.maximum(np.abs(p - boxes[None, :, :2]) - boxes[None, :, 2:], 0.0)
        if len(boxes):
            nearest[begin : begin + 256] = np.sqrt((gap**2).sum(axis=2)).min(axis=1)
    return nearest


def no_floor(plan: LevelPlan) -> np.ndarray:
    """Cells of the ground floor not to walk on: holes, and what stands there (crates, a stair's foot)."""
    floor = plan.floors[0]
    return floor.floor_holes | floor.occupied if floor.occupied is not None else floor.floor_holes


def exits(plan: LevelPlan, i: int, j: int) -> list[tuple[int, int]]:
    """The neighbour cells one can walk to from cell (i, j)."""
    layout, holes = plan.floors[0].layout, no_floor(plan)
    found = []
    for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        ni, nj = i + di, j + dj
        if not (0 <= ni < layout.width and 0 <= nj < layout.depth) or layout.solid[nj, ni] or holes[nj, ni]:
            continue
        wall = layout.walls_h[max(j, nj), i] if dj else layout.walls_v[j, max(i, ni)]
        if not wall:
            found.append((ni, nj))
    return found


def check_route(plan: LevelPlan, route: Route) -> None:
    spec, pos = plan.spec, route.positions
    step = route.speed / route.fps
    assert pos.shape == (route.frame_count, 3) and route.pitch.shape == route.yaw.shape
    assert np.all(np.isfinite(pos)) and np.all(np.isfinite(route.yaw))
    assert np.allclose(pos[:, 2], 1.6)
    assert distance_to_boxes(pos, wall_boxes(plan)).min() >= CLEARANCE - 1e-9
    blocked = plan.floors[0].layout.solid | no_floor(plan)
    assert distance_to_boxes(pos, cell_boxes(plan, blocked)).min() >= CLEARANCE - 1e-9
    size = np.array([spec.width, spec.depth]) * spec.cell_size
    assert np.all(pos[:, :2] >= CLEARANCE) and np.all(pos[:, :2] <= size - CLEARANCE)
    moved = np.linalg.norm(np.diff(pos[:, :2], axis=0), axis=1)
    assert moved.max(initial=0.0) <= step + 1e-6
    assert np.abs(np.diff(route.yaw)).max(initial=0.0) <= MAX_TURN / route.fps
    assert np.abs(route.pitch).max() < 0.2
    check_cells(plan, route)


def check_cells(plan: LevelPlan, route: Route) -> None:
    """The cells walked are neighbours with no wall between, and the frames pass through them in order."""
    cells = [tuple(cell) for cell in route.cells.tolist()]
    for a, b in itertools.pairwise(cells):
        assert b in exits(plan, *a), (a, b)
    where = np.floor(route.positions[:, :2] / plan.spec.cell_size).astype(int).tolist()
    passed = [tuple(cell) for k, cell in enumerate(where) if k == 0 or cell != where[k - 1]]
    assert passed == cells[: len(passed)]


def pace(route: Route) -> float:
    moved = np.linalg.norm(np.diff(route.positions, axis=0), axis=1)
    walking = moved > 1e-9
    return float(moved.sum() / (walking.sum() / route.fps))


def digest(route: Route) -> str:
    sha = hashlib.sha256()
    for array in (route.positions, route.yaw, route.pitch, route.cells):
        sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_specs(), st.floats(20.0, 80.0), st.integers(0, 2**63))
def test_every_preset_keeps_clear_and_paced(spec: LevelSpec, length: float, seed: int) -> None:
    plan = plan_level(spec)
    if (plan.floors[0].layout.solid | no_floor(plan)).all():
        with pytest.raises(ValueError, match="no walkable floor"):
            plan_route(plan, length, seed=seed)
        return
    route = plan_route(plan, length, seed=seed)
    check_route(plan, route)
    if route.frame_count > 200:
        assert pace(route) == pytest.approx(1.4, rel=0.03)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_long_walk_on_level_0_explores(seed: int) -> None:
    plan = level0(seed)
    route = plan_route(plan, 300.0, seed=seed)
    check_route(plan, route)
    assert pace(route) == pytest.approx(1.4, rel=0.02)
    cells = route.cells
    heading = np.diff(cells, axis=0)
    turns = int((np.abs(np.diff(heading, axis=0)).sum(axis=1) == 2).sum())
    assert turns >= 5  # it turns at junctions
    backs = [
        k
        for k in range(len(cells) - 2)
        if (cells[k] == cells[k + 2]).all() and len(exits(plan, *cells[k + 1].tolist())) > 1
    ]
    assert len(backs) <= 2  # and seldom turns back where it could go on
    assert len({tuple(c) for c in cells.tolist()}) > len(cells) / 2  # mostly new ground
    assert np.allclose(route.positions[0], plan.spawn.position)


def test_it_stops_and_looks_around() -> None:
    still = 0
    for seed in range(3):
        route = plan_route(level0(seed), 300.0, seed=seed)
        moved = np.linalg.norm(np.diff(route.positions, axis=0), axis=1) < 1e-9
        turning = np.abs(np.diff(route.yaw)) > 1e-4
        still += int((moved & turning).sum())
    assert still > 3 * 24


def test_same_seed_same_route_different_seed_different() -> None:
    plan = level0(5, 20)
    first, again = plan_route(plan, 120.0, seed=9), plan_route(plan, 120.0, seed=9)
    assert digest(first) == digest(again)
    assert digest(plan_route(plan, 120.0, seed=10)) != digest(first)


def test_same_route_in_another_process() -> None:
    code = (
        "from backrooms_addon.core.levels import preset_spec; from backrooms_addon.core.plan import plan_level;"
        "from backrooms_addon.core.walk import plan_route; import tests.core.test_walk as t;"
        "print(t.digest(plan_route(plan_level(preset_spec('LEVEL_0', seed=5, width=20, depth=20)), 120.0, seed=9)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == digest(plan_route(level0(5, 20), 120.0, seed=9))


def test_the_default_seed_is_the_levels() -> None:
    plan = level0(7, 16)
    assert digest(plan_route(plan, 50.0)) == digest(plan_route(plan, 50.0, seed=7))


def test_the_walk_goes_round_level_1_s_crates() -> None:
    """Seeds whose long walks, if crates were not in the way, would pass through a crate's cell."""
    for seed in (2, 4, 9):
        plan = plan_level(preset_spec("LEVEL_1", seed=seed, width=32, depth=32))
        occupied = plan.floors[0].occupied
        assert occupied is not None and occupied.any(), "a crate stands in this level"
        route = plan_route(plan, 1500.0)
        cells = np.floor(route.positions[:, :2] / plan.spec.cell_size).astype(int)
        assert not occupied[cells[:, 1], cells[:, 0]].any()
