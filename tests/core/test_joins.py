"""Joins: a closed region is built as one walkable area with the fewest extra doorways, the world's
cells and seams untouched, and none of it without a perimeter."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import split_region, unaligned_preset_specs, walkable_components

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.algorithms import ALGORITHMS
from backrooms_addon.core.joins import area_labels, joined
from backrooms_addon.core.layout import EAST, NORTH, SOLID, SOUTH, WEST, Layout, build_layout
from backrooms_addon.core.levels import LEVEL_PRESETS

FAR = 10**9 - 100
specs = st.builds(
    LevelSpec,
    seed=st.integers(0, (1 << 64) - 1),
    width=st.integers(1, 40),
    depth=st.integers(1, 40),
    density=st.floats(0.0, 1.0),
    origin=st.tuples(st.integers(-FAR, FAR), st.integers(-FAR, FAR)),
    algorithm=st.sampled_from(sorted(ALGORITHMS)),
    chunk_size=st.sampled_from([8, 9, 16]),
)


def _without_pillars_if_thin(layout: Layout) -> Layout:
    """A region one cell wide is built without pillars (one would cut it in two)."""
    if min(layout.width, layout.depth) > 1:
        return layout
    return dataclasses.replace(layout, solid=np.zeros_like(layout.solid))


@given(specs, st.booleans())
def test_labels_count_the_areas_a_search_finds(spec: LevelSpec, closed: bool) -> None:
    layout = build_layout(spec)
    layout = layout.closed() if closed else layout
    labels = area_labels(layout.walls_h, layout.walls_v, layout.solid)
    assert np.unique(labels[~layout.solid]).size == walkable_components(layout)


@given(specs)
def test_a_closed_region_opens_the_fewest_walls_that_make_it_one_area(spec: LevelSpec) -> None:
    closed = _without_pillars_if_thin(build_layout(spec).closed())
    built = joined(build_layout(spec).closed(), spec.seed)
    assert walkable_components(built) == 1
    assert (built.solid == closed.solid).all()
    # Walls only go, and only inside: the perimeter stays closed.
    for before, after in ((closed.walls_h, built.walls_h), (closed.walls_v, built.walls_v)):
        assert (after <= before).all()
    assert built.walls_h[[0, -1]].all() and built.walls_v[:, [0, -1]].all()
    opened = closed.wall_count() - built.wall_count()
    assert opened == walkable_components(closed) - 1
    assert joined(build_layout(spec).closed(), spec.seed).digest() == built.digest(), "deterministic"


@given(specs)
def test_a_region_one_cell_wide_has_no_pillar_across_it(spec: LevelSpec) -> None:
    spec = spec.replace(width=1)
    built = plan_level(spec).floors[0].layout
    assert not built.solid.any() and walkable_components(built) == 1


@pytest.mark.parametrize("key", list(LEVEL_PRESETS))
@settings(max_examples=20)
@given(data=st.data())
def test_without_a_perimeter_a_region_is_an_open_cut_of_the_world(key: str, data: st.DataObject) -> None:
    spec = data.draw(unaligned_preset_specs(key, floors=st.integers(1, 2))).replace(perimeter=False)
    plan = plan_level(spec)
    ground = plan.floors[0]
    assert ground.layout.digest() == plan.layout.digest()
    assert all(len(floor.joins) == 0 for floor in plan.floors)


@pytest.mark.parametrize("key", list(LEVEL_PRESETS))
@settings(max_examples=20)
@given(data=st.data())
def test_joins_leave_the_world_data_seamless(key: str, data: st.DataObject) -> None:
    """The layout data (the document's cells) is the world's, joins or not: two regions side by
    side give the cells of the region that covers both, whatever doorways each one is built with."""
    spec = data.draw(unaligned_preset_specs(key)).replace(perimeter=True)
    extra, along_x = data.draw(st.integers(1, 20)), data.draw(st.booleans())
    whole, second = split_region(spec, extra, along_x)
    parts = [plan_level(part).layout.cells() for part in (spec, second)]
    joined_cells = np.concatenate(parts, axis=1 if along_x else 0)
    np.testing.assert_array_equal(joined_cells, plan_level(whole).layout.cells())


def _rebuilt(document: dict) -> Layout:  # type: ignore[type-arg]
    """The ground floor as built, from the document alone: its cells, the perimeter, its joins."""
    cells = np.array(document["cells"], np.int64)
    walls_h = np.concatenate([cells[:1] & SOUTH, cells & NORTH]) > 0
    walls_v = np.concatenate([cells[:, :1] & WEST, cells & EAST], axis=1) > 0
    solid = (cells & SOLID) > 0
    if document["spec"]["perimeter"]:
        walls_h[[0, -1]] = True
        walls_v[:, [0, -1]] = True
    for i, j, bits in document["floors"][0]["joins"]:
        walls_h[j + 1, i] &= not bits & NORTH
        walls_v[j, i + 1] &= not bits & EAST
        solid[j, i] &= not bits & SOLID
    return Layout(walls_h, walls_v, solid)


@given(specs, st.booleans())
def test_a_game_rebuilds_the_built_floor_from_the_document(spec: LevelSpec, perimeter: bool) -> None:
    plan = plan_level(spec.replace(perimeter=perimeter))
    rebuilt = _rebuilt(plan.to_json())
    built = plan.floors[0].layout
    for name in ("walls_h", "walls_v", "solid"):
        np.testing.assert_array_equal(getattr(rebuilt, name), getattr(built, name), name)


def test_a_known_region_gets_its_doorway_near_the_edge() -> None:
    """Seed 21, 40 x 30 cells: two areas once closed; the one doorway is in the last column."""
    floor = plan_level(LevelSpec(seed=21, width=40, depth=30)).floors[0]
    assert floor.joins.tolist() == [[39, 3, NORTH]]
