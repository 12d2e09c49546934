"""Walks through the open world, checked against one plan of the whole region they cover.

The walk plans its ground one chunk at a time; the oracle plans the smallest region of whole chunks
holding every chunk built, in one go, without a perimeter (the world is seamless, so its cells are
the same), and checks every frame against that with the route checks of test_walk.py.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backrooms_addon.core.errors import InvalidSpecError
from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.plan import LevelPlan, plan_level
from backrooms_addon.core.spec import LevelSpec
from backrooms_addon.core.stream import (
    Walk,
    check_walk_settings,
    lamp_radius,
    lamp_slots,
    plan_tile,
    plan_walk,
    walk_tiles,
)
from backrooms_addon.core.walk_document import walk_document
from tests.core.test_walk import check_route, digest

WALKABLE = sorted(LEVEL_PRESETS)


def region_plan(walk: Walk) -> LevelPlan:
    """The oracle: one plan of the whole chunks spanned by the walk, in the walk's frame (a region
    walked whole: its own plan)."""
    if walk.whole_region:
        return plan_level(walk.spec)
    size = walk.spec.chunk_size
    xs, ys = [cx for cx, _ in walk.chunks], [cy for _, cy in walk.chunks]
    assert (min(xs) * size, min(ys) * size) == walk.frame_origin
    return plan_level(
        walk.spec.replace(
            origin=walk.frame_origin, width=(max(xs) - min(xs) + 1) * size, depth=(max(ys) - min(ys) + 1) * size
        )
    )


def chunk_distance(walk: Walk, chunk: tuple[int, int], xy: np.ndarray) -> np.ndarray:
    """Per camera position (walk frame), the distance to the chunk's square."""
    size_m = walk.spec.chunk_size * walk.spec.cell_size
    low = np.asarray(walk.chunk_offset(chunk))
    gap = np.maximum(np.maximum(low - xy, xy - (low + size_m)), 0.0)
    return np.hypot(gap[:, 0], gap[:, 1])


@st.composite
def walks(draw: st.DrawFn) -> Walk:
    spec = preset_spec(
        draw(st.sampled_from(WALKABLE)),
        seed=draw(st.integers(0, 2**40)),
        width=draw(st.integers(4, 20)),
        depth=draw(st.integers(4, 20)),
        origin=(draw(st.integers(-(10**8), 10**8)), draw(st.integers(-(10**8), 10**8))),
    )
    return plan_walk(spec, length=draw(st.floats(20.0, 90.0)), view_radius=draw(st.floats(8.0, 20.0)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walks())
def test_every_frame_is_clear_of_walls_holes_and_pillars_in_the_world(walk: Walk) -> None:
    check_route(region_plan(walk), walk.route)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walks())
def test_chunks_are_built_and_shown_exactly_near_the_camera(walk: Walk) -> None:
    xy = walk.route.positions[:, :2]
    radius = walk.settings["view_radius"]
    frames = np.arange(walk.route.frame_count)
    if walk.whole_region:  # a style made for its region (the court) is built whole, always shown
        assert walk.shown == {walk.chunks[0]: ((0, len(frames) - 1),)}
        return
    for chunk in walk.chunks:
        distance = chunk_distance(walk, chunk, xy)
        shown = np.zeros(len(frames), bool)
        for a, b in walk.shown[chunk]:
            shown[a : b + 1] = True
        # exactly at the radius, rounding (the walk measures in world metres) may go either way
        assert shown[distance <= radius - 1e-6].all() and not shown[distance > radius + 1e-6].any(), chunk
    # and no chunk left out: the chunks round each camera position within the radius are all built
    size_m = walk.spec.chunk_size * walk.spec.cell_size
    built = set(walk.chunks)
    for k in range(0, len(xy), 7):
        world = xy[k] + np.asarray(walk.frame_origin) * walk.spec.cell_size
        reach = math.ceil(radius / size_m) + 1
        home = np.floor(world / size_m).astype(int)
        for dx in range(-reach, reach + 1):
            for dy in range(-reach, reach + 1):
                chunk = (int(home[0] + dx), int(home[1] + dy))
                if chunk_distance(walk, chunk, xy[k : k + 1])[0] <= radius:
                    assert chunk in built, (k, chunk)


def test_a_long_walk_leaves_its_first_region_and_crosses_chunks() -> None:
    spec = LevelSpec(seed=5, width=10, depth=10, origin=(7, -3))
    walk = plan_walk(spec, length=400.0)
    size_m = spec.chunk_size * spec.cell_size
    first = np.asarray(spec.origin) - np.asarray(walk.frame_origin)
    cells = walk.route.cells - first
    outside = (cells < 0).any(axis=1) | (cells[:, 0] >= spec.width) | (cells[:, 1] >= spec.depth)
    assert outside.mean() > 0.5, "most of it beyond the region it started in"
    visited = {tuple(c) for c in np.floor(walk.route.positions[:, :2] / size_m).astype(int).tolist()}
    assert len(visited) >= 3
    check_route(region_plan(walk), walk.route)


def test_the_same_walk_in_another_process() -> None:
    spec = LevelSpec(seed=11, origin=(-40, 9))
    here = digest(plan_walk(spec, length=80.0).route)
    code = (
        "from backrooms_addon.core.stream import plan_walk; from backrooms_addon.core.spec import LevelSpec;"
        "from tests.core.test_walk import digest;"
        "print(digest(plan_walk(LevelSpec(seed=11, origin=(-40, 9)), length=80.0).route))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert here == there
    assert digest(plan_walk(spec.replace(seed=12), length=80.0).route) != here


def test_chunks_side_by_side_share_no_wall_face() -> None:
    """An open region has the walls of all four edges; two chunks built side by side would hold the
    same wall twice, and a wall in two objects shades itself black. Each face is built once, and
    together the chunks have the faces of the region they make."""
    planned = plan_walk(LevelSpec(seed=3), length=30.0)
    block = tuple((cx, cy) for cy in range(-1, 2) for cx in range(-1, 2))  # 3 x 3 chunks round the start
    walk = replace(planned, chunks=block, frame_origin=(-16, -16))
    faces, area = [], 0.0
    for chunk, plan in walk_tiles(walk):
        walls = plan.meshes["walls"]
        centres = walls.vertices[walls.faces].astype(np.float64).mean(axis=1)
        centres += np.array([*walk.chunk_offset(chunk), 0.0])
        faces.append(np.column_stack([np.round(centres, 3), np.round(walls.normals(), 1)]))
        area += float(walls.areas().sum())
    every = np.concatenate(faces)
    assert len(np.unique(every, axis=0)) == len(every), "no face twice"
    region = plan_level(walk.spec.replace(origin=(-16, -16), width=48, depth=48)).meshes["walls"]
    assert area == pytest.approx(float(region.areas().sum()), rel=0.01), "the region's wall area, chunk by chunk"


def test_lamps_shine_only_near_the_camera() -> None:
    walk = plan_walk(LevelSpec(seed=2), length=120.0)
    radius = lamp_radius(walk.spec)
    counts = np.zeros(walk.route.frame_count, int)
    for chunk in walk.chunks:
        plan = plan_tile(walk.spec, chunk, set(walk.chunks))
        dx, dy = walk.chunk_offset(chunk)
        for lamp, spans in zip(plan.lamps, walk.lamp_spans(chunk, plan.lamps), strict=True):
            distance = np.linalg.norm(walk.route.positions - (lamp[0] + dx, lamp[1] + dy, lamp[2]), axis=1)
            near = np.nonzero(distance <= radius)[0]
            shown = np.concatenate([np.arange(a, b + 1) for a, b in spans]) if spans else np.zeros(0, int)
            assert np.array_equal(near, shown)
            counts[shown] += 1
    budget = walk.spec.light_budget
    assert 0.4 * budget <= np.median(counts) <= 1.6 * budget, "about the light budget at a time"


def test_the_walk_document() -> None:
    walk = plan_walk(LevelSpec(seed=4, origin=(3, 5)), length=40.0, fps=12, shake=0.2, heading=0.3)
    document = json.loads(json.dumps(walk_document(walk)))
    assert document["format"] == "backrooms-walk" and document["fps"] == 12 and document["length_m"] == 40.0
    assert (document["shake"], document["heading"]) == (0.2, 0.3)
    frames = document["frames"]
    assert [f["frame"] for f in frames] == list(range(1, walk.route.frame_count + 1))
    assert np.allclose([f["location"] for f in frames], walk.route.positions, atol=1e-4)
    assert np.allclose([f["rotation_euler"][2] for f in frames], walk.route.yaw - math.pi / 2, atol=1e-4)
    assert LevelSpec.from_dict(document["spec"]) == walk.spec
    layout = document["layout"]
    region = region_plan(walk)
    cells = np.asarray(layout["cells"])
    built = np.zeros(cells.shape, bool)
    size = walk.spec.chunk_size
    for cx, cy in document["chunks"]:
        i, j = cx * size - walk.frame_origin[0], cy * size - walk.frame_origin[1]
        built[j : j + size, i : i + size] = True
    assert np.array_equal(cells[built], region.layout.cells()[built]), "the world's cells where built"
    assert np.all(cells[~built] & 16), "solid where nothing was built"
    assert layout["origin"] == list(walk.frame_origin) and layout["spec"]["perimeter"] is False


@pytest.mark.parametrize(
    ("field", "value"),
    [("length", -1.0), ("length", 0.0), ("speed", 0.0), ("fps", 0), ("shake", 1.5), ("view_radius", 2.0)],
)
def test_bad_walk_settings_name_the_field(field: str, value: float) -> None:
    with pytest.raises(InvalidSpecError, match=field):
        check_walk_settings({field: value})
    with pytest.raises(InvalidSpecError, match="lenght"):
        check_walk_settings({"lenght": 3.0})


@pytest.mark.parametrize(
    ("seed", "styles"), [(0, ("LEVEL_0", "LEVEL_1", "LEVEL_37")), (2, ()), (5, ("LEVEL_0", "LEVEL_37"))]
)
def test_the_descent_goes_down_through_each_floor_s_opening(seed: int, styles: tuple[str, ...]) -> None:
    spec = LevelSpec(seed=seed, floors=max(2, len(styles)), floor_styles=styles, origin=(5, -7))
    walk = plan_walk(spec, length=50.0, descend=True)
    assert walk.block is not None
    (first, count), size = walk.block, spec.chunk_size
    assert walk.spec.shaft and not walk.spec.perimeter
    oracle = plan_level(
        walk.spec.replace(origin=(first[0] * size, first[1] * size), width=count[0] * size, depth=count[1] * size)
    )
    pos = walk.route.positions
    local = pos[:, :2] - np.asarray(walk.chunk_offset(first))  # in the block's frame
    assert pos[0, 2] == pytest.approx(oracle.floors[-1].base_z + 1.6), "starts at eye height on the top floor"
    for floor in oracle.floors[1:]:
        c = floor.spec.cell_size
        slab = (pos[:, 2] > floor.base_z - 0.35) & (pos[:, 2] < floor.base_z + 0.05)
        assert slab.any(), "it goes down past every floor"
        i, j = np.floor(local[slab] / c).astype(int).T
        assert floor.floor_holes[j, i].all(), "through the opening in the floor, never the slab"
        assert floor.marks["shaft"].sum() * c * c >= 4.0, "a shaft of at least 2 x 2 m"
    steps = np.diff(pos, axis=0)
    assert np.hypot(steps[:, 0], steps[:, 1]).max() <= walk.route.speed / walk.route.fps + 1e-6
    assert np.abs(steps[:, 2]).max() <= 0.61 / walk.route.fps, "a slow descent"
    landed = np.argmax(pos[:, 2] <= 1.6 + 1e-9)
    assert np.allclose(pos[landed:, 2], 1.6), "then on at eye height on the ground floor"
    assert walk.route.frame_count - landed > 10 * walk.route.fps, "and walks on"
    assert np.abs(np.diff(walk.route.yaw)).max() < 3.5 / walk.route.fps, "the view never spins"


def test_a_descent_needs_floors_and_a_shaft() -> None:
    with pytest.raises(InvalidSpecError, match="descend"):
        plan_walk(LevelSpec(seed=1), length=20.0, descend=True)


def test_the_document_of_a_descent_lists_each_floor_s_shaft_in_its_own_cells() -> None:
    spec = LevelSpec(seed=0, floors=3, floor_styles=("LEVEL_0", "LEVEL_1", "LEVEL_37"))
    walk = plan_walk(spec, length=30.0, descend=True)
    document = json.loads(json.dumps(walk_document(walk)))
    floors = document["layout"]["floors"]
    assert [f["style"] for f in floors] == list(spec.floor_styles)
    assert [f["cell_size"] for f in floors] == [2.4, 3.2, 2.4]
    frames = np.asarray([f["location"] for f in document["frames"]])
    for floor in floors[1:]:
        # where the camera passes this floor's level, in this floor's own cells: an opening
        at = frames[np.argmin(np.abs(frames[:, 2] - floor["z"]))]
        world_m = at[:2] + np.asarray(document["layout"]["origin"]) * spec.cell_size
        cell = tuple((np.floor(world_m / floor["cell_size"]) - floor["origin"]).astype(int).tolist())
        assert cell in {tuple(h) for h in floor["floor_holes"]}, floor["style"]
    assert floors[0]["ceiling_holes"] and floors[1]["ceiling_holes"] and not floors[2]["ceiling_holes"]


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 30)), min_size=1)),
        max_size=30,
    )
)
def test_lamp_slots_light_every_stay_with_the_fewest_lamps(drawn: list) -> None:
    lamps = []
    for number, (state, spans) in enumerate(drawn):
        runs, at = [], 0
        for start, length in spans:  # disjoint runs in order, as lamp_spans gives them
            first = at + start
            runs.append((first, first + length))
            at = first + length + 2
        lamps.append((state, np.array([number, 0.0, 2.8]), tuple(runs)))
    slots = lamp_slots(lamps)
    wanted = sorted((s, a, b, float(p[0])) for s, p, runs in lamps for a, b in runs)
    assert sorted((slot.state, a, b, x) for slot in slots for a, b, x, _, _ in slot.stays) == wanted
    for slot in slots:
        assert all(b < a2 for (_, b, *_), (a2, *_) in itertools.pairwise(slot.stays)), "one stay at a time"
    for state in {s for s, _, _ in lamps}:
        frames = [f for s, _, runs in lamps if s == state for a, b in runs for f in range(a, b + 1)]
        busiest = max(frames.count(f) for f in set(frames))
        assert sum(slot.state == state for slot in slots) == busiest, "as many lamps as are lit at once"
