"""Every built-in preset passes Level 0's invariants: connected, valid meshes, deterministic, seamless."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import floor_areas, planarity_error, quad_corners, unaligned_preset_specs, walkable_components

from backrooms_addon.core.levels import LEVEL_PRESETS, preset_spec
from backrooms_addon.core.plan import LevelPlan, plan_level
from backrooms_addon.core.recipes import load_recipes
from backrooms_addon.core.spec import ORIGIN_LIMIT

PRESETS = list(LEVEL_PRESETS)
SIZE = {"width": 32, "depth": 32}


def _plan(key: str, **changes: object) -> LevelPlan:
    return plan_level(preset_spec(key, **{"seed": 21, **SIZE, **changes}))


@pytest.mark.parametrize("key", PRESETS)
def test_every_floor_is_one_walkable_area(key: str) -> None:
    for floor in _plan(key).floors:
        walkable = dataclasses.replace(floor.layout, solid=floor.layout.solid | floor.floor_holes)
        assert walkable_components(walkable) == 1


@pytest.mark.parametrize("key", PRESETS)
@settings(max_examples=30)
@given(data=st.data())
def test_every_floor_is_one_walkable_area_at_any_size_and_place(key: str, data: st.DataObject) -> None:
    """Regions whose edges cut through chunks: the closed perimeter would seal parts of them off
    as pockets without the joins (core/joins.py). Holes count too, unless one spans the region
    from side to side (a pool in a region at most five cells across, a pitfall in one a cell wide):
    no doorway joins the two sides then, and the holes are the world's, kept so that neighbouring
    regions agree about them."""
    extra = {"floors": st.integers(1, 2), "pitfall_density": st.sampled_from([0.0, 0.3])}
    spec = data.draw(unaligned_preset_specs(key, **extra))
    for floor in plan_level(spec).floors:
        assert floor_areas(floor.layout) == 1
        holes = floor.floor_holes
        spans = holes.all(axis=0).any() or holes.all(axis=1).any()
        assert spans or floor_areas(floor.layout, holes) == 1


@pytest.mark.parametrize("key", PRESETS)
def test_every_mesh_is_valid_quads_with_recipes(key: str) -> None:
    plan = _plan(key)
    recipes = load_recipes()
    assert plan.meshes["floor"].face_count
    for kind, mesh in plan.meshes.items():
        if not mesh.face_count:  # the Courtyard's walls are its building, a feature mesh
            assert key == "LEVEL_188" and kind == "walls"
            continue
        assert mesh.areas().min() > 1e-4 and planarity_error(mesh) < 1e-4, kind
        keys = {tuple(sorted(map(tuple, np.round(q, 4).tolist()))) for q in quad_corners(mesh)}
        assert len(keys) == mesh.face_count, f"{kind}: duplicate faces"
        assert ((mesh.pieces >= 0) & (mesh.pieces < plan.pieces.count)).all()
        used = {mesh.materials[i] for i in np.unique(mesh.material_indices)}
        assert used <= set(recipes) | {name for name in used if name.startswith("fixture_flicker_")}, used


def _digest(plan: LevelPlan) -> str:
    sha = hashlib.sha256()
    for kind in sorted(plan.meshes):
        sha.update(kind.encode() + plan.meshes[kind].vertices.tobytes() + plan.meshes[kind].uvs.tobytes())
    return sha.hexdigest()


@pytest.mark.parametrize("key", PRESETS)
def test_every_preset_is_deterministic(key: str) -> None:
    assert _digest(_plan(key)) == _digest(_plan(key))
    assert _digest(_plan(key)) != _digest(_plan(key, seed=22)) or key == "LEVEL_188"


@pytest.mark.parametrize("key", PRESETS)
def test_neighbouring_regions_join_without_a_seam(key: str) -> None:
    spec = preset_spec(key, seed=4, width=64, depth=32, perimeter=False)
    whole = plan_level(spec).floors[0]
    west = plan_level(spec.replace(width=32)).floors[0]
    east = plan_level(spec.replace(width=32, origin=(32, 0))).floors[0]
    for name in ("walls_h", "solid"):
        joined = np.concatenate([getattr(west.layout, name), getattr(east.layout, name)], axis=1)
        assert (joined == getattr(whole.layout, name)).all(), name
    assert (whole.layout.walls_v[:, :33] == west.layout.walls_v).all()
    assert (whole.layout.walls_v[:, 32:] == east.layout.walls_v).all()
    holes = np.concatenate([west.floor_holes, east.floor_holes], axis=1)
    assert (holes == whole.floor_holes).all(), "pools and pitfalls agree across the cut"


@pytest.mark.parametrize("key", PRESETS)
def test_every_preset_plans_at_the_edges_of_the_world(key: str) -> None:
    """A region at the end of the origins a user may give: the rings and margins that furniture
    and meeting rooms read round it reach past that range, and the world goes on there."""
    for origin in [(-ORIGIN_LIMIT, -ORIGIN_LIMIT), (-ORIGIN_LIMIT, ORIGIN_LIMIT), (ORIGIN_LIMIT, -ORIGIN_LIMIT)]:
        spec = preset_spec(key, seed=5, width=12, depth=9, origin=origin, floors=2)
        plan = plan_level(spec)
        assert plan.meshes["floor"].face_count and plan.spec.origin == origin
        assert all(floor_areas(floor.layout) == 1 for floor in plan.floors)


def test_a_window_is_the_same_world_over_another_cut() -> None:
    spec = preset_spec("LEVEL_4", seed=5, width=12, depth=9, origin=(-ORIGIN_LIMIT, 0))
    window = spec.window((-ORIGIN_LIMIT - 4, -4), 20, 17)
    assert (window.origin, window.width, window.depth, window.perimeter) == ((-ORIGIN_LIMIT - 4, -4), 20, 17, False)
    assert dataclasses.replace(window, origin=spec.origin, width=12, depth=9, perimeter=spec.perimeter) == spec
    assert spec.origin == (-ORIGIN_LIMIT, 0), "the spec itself unchanged"
