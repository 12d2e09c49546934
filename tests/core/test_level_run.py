"""Level !, Run For Your Life: one endless corridor with side rooms, obstacles that never close it, runs."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from level_checks import floor_areas, plan_hash

from backrooms_addon.cli.commands import build_parser
from backrooms_addon.cli.walk import walk_inputs
from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.plan import FloorPlan, LevelPlan, plan_level
from backrooms_addon.core.run_corridor import PERIOD, RUN_CORRIDOR, band_row
from backrooms_addon.core.spec import LevelSpec
from backrooms_addon.core.stream import WALK_DEFAULTS, check_walk_settings, plan_walk, restyled_walk
from backrooms_addon.core.styles import style_of

# The plan of a small Level ! (seed 3, 20 x 12 cells): the same on every numpy Blender ships.
GOLDEN_PLAN = "6d7adcabe15f3ea69409c50d387de61b3121af64a3ef696d966d589dfc1a0c8b"
FAR = 10**6


def _digest(plan: LevelPlan) -> str:
    return str(plan_hash(plan, sorted(plan.meshes)).hexdigest())


def _floor(seed: int, origin: tuple[int, int], width: int, depth: int = PERIOD) -> FloorPlan:
    spec = preset_spec("LEVEL_RUN", seed=seed, width=width, depth=depth, origin=origin, perimeter=False)
    return plan_level(spec).floors[0]


def test_the_level_is_a_preset_with_red_pulsing_lamps_and_a_run() -> None:
    assert "LEVEL_RUN" in LEVEL_PRESETS and preset_spec("LEVEL_RUN").style == "LEVEL_RUN"
    style = style_of("LEVEL_RUN")
    red, green, blue = style.lamp_rgb
    assert red > 5 * max(green, blue), "red emergency lights"
    assert style.lamp_pulse_s > 0 and style.walk["speed"] > 2 * WALK_DEFAULTS["speed"]
    assert style.walk["shake"] > WALK_DEFAULTS["shake"]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), x=st.integers(-FAR, FAR), band=st.integers(-FAR // PERIOD, FAR // PERIOD))
def test_the_corridor_runs_on_across_regions_without_a_seam(seed: int, x: int, band: int) -> None:
    """Three rows without a wall across them in every world band of PERIOD rows, walled along
    both sides but for the doorways, the same whether planned as one region or two side by side."""
    origin = (x, band * PERIOD - 1)  # the band's first corridor row is its first row
    whole = _floor(seed, origin, 48)
    west, east = _floor(seed, origin, 20), _floor(seed, (x + 20, origin[1]), 28)
    for name in ("walls_h", "solid"):
        joined = np.concatenate([getattr(west.layout, name), getattr(east.layout, name)], axis=1)
        assert (joined == getattr(whole.layout, name)).all(), name
    assert (whole.layout.walls_v[:, :21] == west.layout.walls_v).all()
    assert (whole.layout.walls_v[:, 20:] == east.layout.walls_v).all()
    assert (np.concatenate([west.occupied, east.occupied], axis=1) == whole.occupied).all()
    rows = band_row(np.arange(PERIOD) + origin[1])
    corridor = np.nonzero(rows < 3)[0]
    assert list(rows[corridor]) == [0, 1, 2]
    assert not whole.layout.walls_v[corridor].any(), "nothing walls the corridor across"
    assert not whole.layout.walls_h[corridor[1:]].any(), "nor along its middle"
    sides = whole.layout.walls_h[[corridor[0], corridor[-1] + 1]]
    assert 0.5 < sides.mean() < 1.0, "walled along both sides, with doorways into the side rooms"


def _crossing(free: np.ndarray) -> bool:
    """Whether the free cells of a (rows, columns) strip join its west end to its east end."""
    rows, columns = free.shape
    seen = np.zeros_like(free)
    queue = deque((j, 0) for j in range(rows) if free[j, 0])
    for cell in queue:
        seen[cell] = True
    while queue:
        j, i = queue.popleft()
        if i == columns - 1:
            return True
        for nj, ni in ((j + 1, i), (j - 1, i), (j, i + 1), (j, i - 1)):
            if 0 <= nj < rows and 0 <= ni < columns and free[nj, ni] and not seen[nj, ni]:
                seen[nj, ni] = True
                queue.append((nj, ni))
    return False


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), x=st.integers(-FAR, FAR), band=st.integers(-FAR // PERIOD, FAR // PERIOD))
def test_obstacles_narrow_the_corridor_but_never_block_it(seed: int, x: int, band: int) -> None:
    floor = _floor(seed, (x, band * PERIOD - 1), 160)
    corridor = floor.occupied[:3]
    assert corridor.any(), "something in the way"
    assert corridor.sum(axis=0).max() <= 1, "at most one cell of the corridor's width in any cross-section"
    assert not floor.occupied[3:].any(), "the side rooms are clear"
    assert _crossing(~corridor), "a way through from end to end"


def _level(seed: int, size: tuple[int, int], origin: tuple[int, int], **changes: object) -> LevelSpec:
    width, depth = size
    return preset_spec("LEVEL_RUN", seed=seed, width=width, depth=depth, origin=origin, **changes)


_sizes = st.tuples(st.integers(1, 40), st.integers(1, 40))
_origins = st.tuples(st.integers(-FAR, FAR), st.integers(-FAR, FAR))


@settings(max_examples=40, deadline=None)
@example(seed=0, size=(31, 31), origin=(1, 1), floors=1, pitfalls=0.0)  # a crate sealed the one corridor row
@example(seed=0, size=(1, 2), origin=(-13, 1), floors=1, pitfalls=0.0)  # a crate walled off from a room
@given(
    seed=st.integers(0, 2**32),
    size=_sizes,
    origin=_origins,
    floors=st.integers(1, 2),
    pitfalls=st.sampled_from([0.0, 0.3]),
)
def test_every_floor_is_one_walkable_area_round_its_obstacles(
    seed: int, size: tuple[int, int], origin: tuple[int, int], floors: int, pitfalls: float
) -> None:
    """Crates and shelves are walked round, not through, like holes and stairs, wherever the
    region's edge cuts the corridor; unless they span the region from side to side (a region one
    cell deep along a corridor row): nothing else is left of the way then. Their cells are no
    pockets either (a crate is left out beside a hole)."""
    plan = plan_level(_level(seed, size, origin, floors=floors, pitfall_density=pitfalls))
    for floor in plan.floors:
        assert floor_areas(floor.layout) == 1
        blocked = floor.floor_holes | floor.occupied
        spans = blocked.all(axis=0).any() or blocked.all(axis=1).any()
        assert spans or floor_areas(floor.layout, blocked) == 1


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    size=_sizes,
    origin=_origins,
    margins=st.tuples(*[st.integers(0, PERIOD)] * 4),
    pitfalls=st.sampled_from([0.0, 0.3]),
)
def test_a_region_s_obstacles_are_the_world_s_cut_to_it(
    seed: int, size: tuple[int, int], origin: tuple[int, int], margins: tuple[int, ...], pitfalls: float
) -> None:
    """The same crates and shelves however the world is cut: a closed level's are those of an open
    cut of the world round it."""
    west, south, east, north = margins
    (width, depth), (x, y) = size, origin
    region = plan_level(_level(seed, size, origin, pitfall_density=pitfalls)).floors[0]
    around = (width + west + east, depth + south + north)
    world = plan_level(_level(seed, around, (x - west, y - south), pitfall_density=pitfalls, perimeter=False))
    cut = world.floors[0].occupied[south : south + depth, west : west + width]
    assert (region.occupied == cut).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), origin=_origins)
def test_stairs_climb_along_the_corridor_s_middle_row(seed: int, origin: tuple[int, int]) -> None:
    """Not in the side rooms: every chunk holds a stretch of corridor with room for a stair."""
    plan = plan_level(_level(seed, (48, 40), origin, floors=3))
    for lower in plan.floors[:-1]:
        rows = np.nonzero(lower.occupied & lower.ceiling_holes)[0]  # the stairs up from it
        assert len(rows) and (band_row(rows + origin[1]) == 1).all()


def test_the_estimate_counts_the_obstacles() -> None:
    spec = preset_spec("LEVEL_RUN", seed=5, width=90, depth=90)
    faces = plan_level(spec).meshes["run_obstacles"].face_count
    assert 0.5 * faces < RUN_CORRIDOR.faces(spec) < 2 * faces


def test_the_style_s_walk_settings_apply_unless_given() -> None:
    assert check_walk_settings({}, "LEVEL_RUN")["speed"] == style_of("LEVEL_RUN").walk["speed"]
    assert check_walk_settings({"speed": 2.0}, "LEVEL_RUN")["speed"] == 2.0, "an explicit value wins"
    assert check_walk_settings({}, "LEVEL_0") == WALK_DEFAULTS
    assert check_walk_settings({}) == WALK_DEFAULTS


@pytest.mark.parametrize("seed", [1, 4, 9])
def test_a_walk_runs_down_the_corridor(seed: int) -> None:
    walk = plan_walk(preset_spec("LEVEL_RUN", seed=seed), length=120.0)
    speed = style_of("LEVEL_RUN").walk["speed"]
    assert walk.settings["speed"] == walk.route.speed == speed
    moved = np.linalg.norm(np.diff(walk.route.positions[:, :2], axis=0), axis=1)
    assert moved.max() == pytest.approx(speed / walk.route.fps), "at a run"
    cells = walk.route.cells
    rows = band_row(cells[:, 1] + walk.frame_origin[1])
    assert np.mean(rows < 3) > 0.7, "mostly in the corridor"
    assert cells[-1, 0] - cells[0, 0] > 0.5 * len(cells), "on down it, not back and forth"
    walked = plan_walk(preset_spec("LEVEL_RUN", seed=seed), length=20.0, speed=1.4)
    assert walked.route.speed == 1.4


def test_choosing_the_level_in_the_panel_sets_its_run_and_leaving_it_the_defaults() -> None:
    run = style_of("LEVEL_RUN").walk
    assert restyled_walk("LEVEL_0", "LEVEL_RUN") == run
    assert restyled_walk("LEVEL_RUN", "LEVEL_1") == {name: WALK_DEFAULTS[name] for name in run}
    assert restyled_walk("LEVEL_RUN", "LEVEL_RUN") == restyled_walk("LEVEL_0", "LEVEL_1") == {}


def test_the_command_line_runs_unless_given_a_speed(tmp_path: Path) -> None:
    parser = build_parser()
    _, settings = walk_inputs(parser.parse_args(["walk", "--preset", "LEVEL_RUN", "--out", str(tmp_path)]))
    assert settings["speed"] == style_of("LEVEL_RUN").walk["speed"]
    _, settings = walk_inputs(parser.parse_args(["walk", "--preset", "LEVEL_RUN", "--speed", "1.4"]))
    assert settings["speed"] == 1.4
    _, settings = walk_inputs(parser.parse_args(["walk", "--preset", "LEVEL_0"]))
    assert settings["speed"] == WALK_DEFAULTS["speed"]
    assert json.loads(json.dumps(settings)) == settings


def test_the_plan_matches_the_golden_hash() -> None:
    plan = plan_level(preset_spec("LEVEL_RUN", seed=3, width=20, depth=12))
    assert _digest(plan) == _digest(plan_level(preset_spec("LEVEL_RUN", seed=3, width=20, depth=12)))
    assert _digest(plan) == GOLDEN_PLAN
