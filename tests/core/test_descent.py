"""The descent shaft through every floor, and the camera's way down it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backrooms_addon.core import InvalidSpecError, LevelSpec, plan_level
from backrooms_addon.core.collision import collision_mesh
from backrooms_addon.core.descent import plan_descent
from backrooms_addon.core.features import EYE_HEIGHT
from backrooms_addon.core.floors import SLAB_M
from backrooms_addon.core.plan import FloorPlan, LevelPlan
from backrooms_addon.core.walk import Route

FEW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Where no place is open on every floor, a level has no shaft (a test below counts how often).
STACKS = [("LEVEL_0",), ("LEVEL_0", "LEVEL_1"), ("LEVEL_0", "LEVEL_37", "LEVEL_1"), ("LEVEL_1", "LEVEL_0", "LEVEL_188")]


@st.composite
def shafted(draw: st.DrawFn) -> LevelSpec:
    """A level of two to four floors, of one style or several, with a shaft."""
    styles = draw(st.sampled_from(STACKS))
    floors = max(len(styles), draw(st.integers(2, 3))) if styles[-1] != "LEVEL_188" else len(styles)
    return LevelSpec.from_dict(
        {
            "seed": draw(st.integers(0, 2**40)),
            "width": draw(st.integers(28, 40)),
            "depth": draw(st.integers(28, 40)),
            "origin": [draw(st.integers(-300, 300)), draw(st.integers(-300, 300))],
            "floors": floors,
            "style": styles[0],
            "floor_styles": list(styles) if len(styles) > 1 else [],
            "pitfall_density": draw(st.sampled_from([0.0, 0.1])),
            "shaft": True,
            **({"cell_size": 3.2, "wall_height": 3.6, "wall_thickness": 0.35} if styles[0] == "LEVEL_1" else {}),
        }
    )


def _plan(spec: LevelSpec) -> LevelPlan:
    plan = plan_level(spec)
    assume("shaft" in plan.floors[0].marks)
    return plan


def _block(floor: FloorPlan) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(floor.marks["shaft"])
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _inside(floor: FloorPlan, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether points lie strictly inside the floor's shaft cells."""
    i0, j0, i1, j1 = _block(floor)
    cell = floor.spec.cell_size
    return (x > i0 * cell) & (x < i1 * cell) & (y > j0 * cell) & (y < j1 * cell)


@FEW
@given(spec=shafted())
def test_the_shaft_opens_every_floor_but_the_ground_and_every_ceiling_but_the_tops(spec: LevelSpec) -> None:
    plan = _plan(spec)
    top = len(plan.floors) - 1
    for number, floor in enumerate(plan.floors):
        shaft = floor.marks["shaft"]
        i0, j0, i1, j1 = _block(floor)
        assert shaft[j0:j1, i0:i1].all() and shaft.sum() == (i1 - i0) * (j1 - j0), "one rectangle of cells"
        assert (i1 - i0) * floor.spec.cell_size >= 2.0 and (j1 - j0) * floor.spec.cell_size >= 2.0
        assert floor.floor_holes[shaft].all() if number else not floor.floor_holes[shaft].any()
        assert floor.ceiling_holes[shaft].all() if number < top else not floor.ceiling_holes[shaft].any()
        # The shaft and a ring of one cell round it: inside the region, open floor, untouched.
        assert i0 >= 1 and j0 >= 1 and i1 < floor.spec.width and j1 < floor.spec.depth
        ring = np.zeros_like(shaft)
        ring[j0 - 1 : j1 + 1, i0 - 1 : i1 + 1] = True
        layout = floor.layout
        assert not layout.solid[ring].any()
        assert not layout.walls_v[j0 - 1 : j1 + 1, i0 : i1 + 1].any(), "no wall between two of its cells"
        assert not layout.walls_h[j0 : j1 + 1, i0 - 1 : i1 + 1].any()
        around = ring & ~shaft
        assert not floor.floor_holes[around].any() and not floor.ceiling_holes[around].any()
        assert floor.occupied is None or not floor.occupied[ring].any()
    assert "shaft" in plan.meshes and "shaft" in plan.to_json()["features"]
    document = json.loads(json.dumps(plan.to_json()))
    for entry, floor in zip(document["floors"], plan.floors, strict=True):
        assert sorted(map(tuple, entry["marks"]["shaft"])) == sorted(
            map(tuple, np.argwhere(floor.marks["shaft"])[:, ::-1].tolist())
        )
        assert (entry["style"], entry["cell_size"]) == (floor.spec.style, floor.spec.cell_size)
        holes = {tuple(cell) for cell in entry["floor_holes"]}
        assert all(tuple(cell) in holes for cell in entry["marks"]["shaft"]) or entry is document["floors"][0]


@FEW
@given(spec=shafted())
def test_the_slabs_are_walled_round_the_shaft(spec: LevelSpec) -> None:
    plan = _plan(spec)
    shaft = plan.meshes["shaft"]
    corners = shaft.vertices[shaft.faces].astype(np.float64)
    upright = np.ptp(corners[:, :, 2], axis=1) > 1e-4
    heights = np.ptp(corners[upright, :, 2], axis=1)
    assert np.allclose(heights, SLAB_M, atol=1e-4), "walls from ceiling to floor through each slab"
    assert upright.sum() == 4 * (len(plan.floors) - 1), "four walls per slab"
    assert collision_mesh(plan).face_count > 0


def _walls(floor: FloorPlan) -> tuple[np.ndarray, np.ndarray]:
    """Every wall of a floor as a segment (x0, y0, x1, y1), and its pillars as squares (x0, y0)."""
    cell, layout = floor.spec.cell_size, floor.layout
    rows, cols = np.nonzero(layout.walls_h)
    south = np.column_stack([cols * cell, rows * cell, (cols + 1) * cell, rows * cell])
    rows, cols = np.nonzero(layout.walls_v)
    west = np.column_stack([cols * cell, rows * cell, cols * cell, (rows + 1) * cell])
    rows, cols = np.nonzero(layout.solid)
    return np.concatenate([south, west]).astype(np.float64), np.column_stack([cols * cell, rows * cell])


def _distance_to_walls(floor: FloorPlan, points: np.ndarray) -> np.ndarray:
    segments, pillars = _walls(floor)
    x, y = points[:, :1], points[:, 1:2]
    dx = np.maximum(
        np.maximum(np.minimum(segments[:, 0], segments[:, 2]) - x, 0), x - np.maximum(segments[:, 0], segments[:, 2])
    )
    dy = np.maximum(
        np.maximum(np.minimum(segments[:, 1], segments[:, 3]) - y, 0), y - np.maximum(segments[:, 1], segments[:, 3])
    )
    found = np.hypot(dx, dy).min(axis=1, initial=np.inf) - floor.spec.wall_thickness / 2
    if len(pillars):
        cell = floor.spec.cell_size
        px = np.maximum(np.maximum(pillars[:, 0] - x, 0), x - (pillars[:, 0] + cell))
        py = np.maximum(np.maximum(pillars[:, 1] - y, 0), y - (pillars[:, 1] + cell))
        found = np.minimum(found, np.hypot(px, py).min(axis=1))
    return found


def _check_route(plan: LevelPlan, route: Route, end: tuple[float, float, float], speed: float) -> None:
    positions, fps = route.positions, route.fps
    top, ground = plan.floors[-1], plan.floors[0]
    assert positions[0, 2] == pytest.approx(top.base_z + EYE_HEIGHT)
    assert positions[-1, 2] == pytest.approx(ground.base_z + EYE_HEIGHT)
    assert (positions[-1, 0], positions[-1, 1], route.yaw[-1]) == pytest.approx(end)
    assert len(route.yaw) == len(route.pitch) == len(positions) and route.fps == fps
    step = np.diff(positions, axis=0)
    assert np.hypot(step[:, 0], step[:, 1]).max() <= speed / fps * 1.5, "no jump along the floor"
    assert np.abs(step[:, 2]).max() * fps <= 0.8 + 1e-6, "a slow descent"
    assert np.abs(np.diff(route.yaw)).max() * fps <= 1.0 and np.abs(np.diff(route.pitch)).max() * fps <= 1.0
    assert route.pitch.min() >= -0.5 and route.pitch.max() <= 1e-9 and route.pitch[-1] == pytest.approx(0.0)
    # Never in a slab but inside the shaft's opening of the floor above it.
    for floor in plan.floors[1:]:
        in_slab = (positions[:, 2] >= floor.base_z - SLAB_M - 1e-6) & (positions[:, 2] <= floor.base_z + 1e-6)
        assert _inside(floor, positions[in_slab, 0], positions[in_slab, 1]).all()
    # Every frame below the top floor's eye is in the shaft's column on every floor.
    falling = positions[:, 2] < top.base_z + EYE_HEIGHT - 1e-6
    for floor in plan.floors:
        assert _inside(floor, positions[falling, 0], positions[falling, 1]).all()
    # The walk on the top floor keeps its distance from walls and pillars.
    walking = ~falling
    assert (_distance_to_walls(top, positions[walking, :2]) >= 0.25 - 1e-6).all()
    cell = ground.spec.cell_size
    assert ground.marks["shaft"][int(end[1] // cell), int(end[0] // cell)], "ends in the shaft's column"


@FEW
@given(spec=shafted(), fps=st.sampled_from([12, 24, 30]), speed=st.floats(0.8, 2.0))
def test_the_descent_walks_to_the_shaft_and_goes_down_it_to_the_ground(spec: LevelSpec, fps: int, speed: float) -> None:
    plan = _plan(spec)
    route, end = plan_descent(plan, fps, speed)
    _check_route(plan, route, end, speed)
    walked = route.positions[route.positions[:, 2] >= plan.floors[-1].base_z + EYE_HEIGHT - 1e-6]
    assert np.hypot(*np.diff(walked[:, :2], axis=0).T).sum() <= 4.0 + 2 * 2.4 * 2, "about walk_m to the edge"


def test_the_descent_is_deterministic_and_turns_slowly_past_each_floor() -> None:
    spec = LevelSpec(seed=3, width=40, depth=40, floors=3, shaft=True, floor_styles=("LEVEL_0", "LEVEL_1", "LEVEL_37"))
    one, two = plan_descent(plan_level(spec), 24, 1.4), plan_descent(plan_level(spec), 24, 1.4)
    assert np.array_equal(one[0].positions, two[0].positions) and one[1] == two[1]
    route = one[0]
    assert route.yaw[-1] - route.yaw[0] > 0.5, "the view turns on the way down"
    assert route.pitch.min() < -0.2, "and dips while it descends"
    assert route.cells.shape[1] == 2 and len(route.cells) >= 2


def test_a_descent_needs_floors_and_a_shaft() -> None:
    for spec in (
        LevelSpec(seed=1, shaft=True),
        LevelSpec(seed=1, floors=2),
        LevelSpec(seed=1, floors=2, width=3, depth=3, shaft=True),
        LevelSpec(seed=1, floors=2, width=1, depth=2, cell_size=1.0, wall_thickness=0.1, shaft=True),  # too small
    ):
        with pytest.raises(ValueError, match=r"^descend: ") as caught:
            plan_descent(plan_level(spec), 24, 1.4)
        assert isinstance(caught.value, InvalidSpecError) and caught.value.field == "descend"


def test_no_shaft_leaves_a_level_as_it_was() -> None:
    spec = LevelSpec(seed=2, width=24, depth=24, floors=2)
    assert "shaft" not in plan_level(spec).meshes and plan_level(spec.replace(shaft=True)).meshes["shaft"].face_count
    assert all(not floor.marks for floor in plan_level(spec).floors)


def test_a_shaft_fits_most_levels_of_a_few_floors() -> None:
    found = [
        "shaft" in plan_level(LevelSpec(seed=seed, width=32, depth=32, floors=3, shaft=True)).floors[0].marks
        for seed in range(8)
    ]
    assert sum(found) >= 6
