"""Stacked floors, pitfalls and stairwells: lined up, connected, seamless and closed."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from level_checks import geometry_specs, walkable_components

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.floors import SLAB_M, STAIR_CELLS
from backrooms_addon.core.layout import Layout, build_layout
from backrooms_addon.core.world import Window

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def stacked(draw: st.DrawFn) -> LevelSpec:
    """Stacked floors over regions of any size and place: their edges may cut through chunks. At
    least six cells across, so that no pool or pitfall spans them (it would cut them in two)."""
    chunk = draw(st.sampled_from([8, 16]))
    return LevelSpec(
        seed=draw(st.integers(0, 2**40)),
        width=draw(st.integers(6, 4 * chunk)),
        depth=draw(st.integers(6, 4 * chunk)),
        chunk_size=chunk,
        room_max=min(8, chunk),
        origin=(draw(st.integers(-800, 800)), draw(st.integers(-800, 800))),
        density=draw(st.floats(0.0, 0.8)),
        floors=draw(st.integers(1, 3)),
        pitfall_density=draw(st.sampled_from([0.0, 0.05, 0.2])),
    )


def _walkable(layout: Layout, holes: np.ndarray) -> Layout:
    return dataclasses.replace(layout, solid=layout.solid | holes)


@FAST
@given(spec=stacked())
def test_every_floor_stays_one_walkable_area(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    assert len(plan.floors) == spec.floors
    for floor in plan.floors:
        assert walkable_components(_walkable(floor.layout, floor.floor_holes)) == 1


@FAST
@given(spec=stacked())
def test_pitfalls_open_onto_open_floor_below(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    for upper, lower in zip(plan.floors[1:], plan.floors, strict=False):
        stairs_below = lower.ceiling_holes & upper.floor_holes  # stair openings are in both
        pits = upper.floor_holes & ~stairs_below
        assert (pits == (lower.ceiling_holes & ~stairs_below)).all(), "each pitfall opens the ceiling below"
        assert not (pits & lower.layout.solid).any() and not (pits & lower.floor_holes).any()


@FAST
@given(spec=stacked())
def test_stairwells_join_walkable_cells_of_two_floors(spec: LevelSpec) -> None:
    plan = plan_level(spec.replace(floors=max(spec.floors, 2)))
    cell = plan.spec.cell_size
    treads = plan.meshes.get("stairs")
    for floor, (lower, upper) in enumerate(zip(plan.floors, plan.floors[1:], strict=False)):
        opening = lower.ceiling_holes & upper.floor_holes
        # The first cell of each run of openings (pitfalls of the upper floor are single cells).
        # Shifted without wrapping round: a pitfall at the east edge is no run with one at the west.
        before = np.pad(opening, ((0, 0), (1, 0)))[:, :-1]
        after = np.pad(opening, ((0, 0), (0, 1)))[:, 1:]
        for y, x in np.argwhere(opening & ~before & after):
            assert opening[y, x : x + STAIR_CELLS].all() and x + STAIR_CELLS < plan.spec.width
            bottom, landing = (x - 1, y), (x + STAIR_CELLS, y)
            assert not lower.layout.solid[bottom[1], bottom[0]] and not lower.layout.walls_v[y, x]
            assert not upper.layout.solid[landing[1], landing[0]] and not upper.layout.walls_v[y, x + STAIR_CELLS]
            assert not upper.floor_holes[landing[1], landing[0]] and not lower.floor_holes[bottom[1], bottom[0]]
            # The stair's top tread meets the upper floor at the landing's edge.
            assert treads is not None
            corners = treads.vertices.reshape(-1, 4, 3)
            edge_x = (x + STAIR_CELLS) * cell
            in_row = (corners[:, :, 1].min(1) >= y * cell - 1e-4) & (corners[:, :, 1].max(1) <= (y + 1) * cell + 1e-4)
            top = corners[(np.abs(corners[:, :, 0] - edge_x) < 1e-4).any(1) & in_row]
            rise = plan.floors[floor + 1].base_z - lower.base_z
            assert rise == plan.spec.wall_height + SLAB_M
            assert np.isclose(top[:, :, 2].max(), upper.base_z, atol=1e-4)


def test_a_single_floor_without_pitfalls_has_no_holes() -> None:
    plan = plan_level(LevelSpec(seed=5))
    assert len(plan.floors) == 1 and not plan.floors[0].floor_holes.any() and "pitfalls" not in plan.meshes


def test_ground_floor_pitfalls_drop_into_darkness() -> None:
    plan = plan_level(LevelSpec(seed=2, width=48, depth=48, pitfall_density=0.2))
    holes = plan.floors[0].floor_holes
    assert holes.any()
    shafts = plan.meshes["pitfalls"]
    assert shafts.vertices[:, 2].min() < -5, "a long drop"
    # Every side of every pitfall is walled all the way down, facing into the pit.
    normals, centres = shafts.normals(), shafts.vertices.reshape(-1, 4, 3).mean(axis=1)
    inside = centres[:, :2] + 0.1 * normals[:, :2]
    cells = np.floor(inside / plan.spec.cell_size).astype(int)
    assert holes[cells[:, 1], cells[:, 0]].all(), "faces look into the pit"
    assert len(shafts.faces) == 4 * holes.sum(), "four walls per (single-cell) pitfall"


def test_neighbouring_regions_agree_on_pitfalls_and_stairwells() -> None:
    base = LevelSpec(seed=11, width=64, depth=32, floors=2, pitfall_density=0.2, perimeter=False)
    whole = plan_level(base)
    west = plan_level(base.replace(width=32))
    east = plan_level(base.replace(width=32, origin=(32, 0)))
    for floor in range(2):
        joined = np.concatenate([west.floors[floor].floor_holes, east.floors[floor].floor_holes], axis=1)
        pits_whole = whole.floors[floor].floor_holes
        # Stairwells that straddle the cut are left out of both halves; pitfalls are one cell.
        assert (joined <= pits_whole).all()
        assert (joined == pits_whole)[:, :28].all() and (joined == pits_whole)[:, 36:].all()


@FAST
@given(spec=geometry_specs)
def test_a_region_cut_from_its_window_is_the_region_built_alone(spec: LevelSpec) -> None:
    assert Window.of(spec).region().digest() == build_layout(spec).digest()
