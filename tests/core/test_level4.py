"""Level 4, the Abandoned Office: its furniture never blocks the way, agrees across regions, is
instanced exactly like its copies and collides; its plan is golden."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from level_checks import floor_areas, plan_hash, planarity_error, preset_specs, walkable_components

from backrooms_addon.core.collision import collision_mesh
from backrooms_addon.core.furniture import FURNITURE, LATTICE, keeps_joined, models
from backrooms_addon.core.geometry import MeshArrays, quad_mesh
from backrooms_addon.core.layout import Layout
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.plan import LevelPlan, plan_level
from backrooms_addon.core.spec import LevelSpec
from backrooms_addon.core.stream import plan_walk
from backrooms_addon.core.walk import plan_route
from tests.core.test_stream import region_plan
from tests.core.test_walk import check_route

# Level 4 at a size this small, on both numpy versions alike.
GOLDEN_LEVEL_4 = "3e5b75d86e12f2e8162aeddf2d978a3df1da172ddeaa20b34016e9deb940fba2"

offices = preset_specs("LEVEL_4", smallest=3, far=10**6, pitfall_density=st.sampled_from([0.0, 0.3]))


def _furniture_cells(plan: LevelPlan, floor: int = 0) -> np.ndarray:
    occupied = plan.floors[floor].occupied
    assert occupied is not None
    return occupied


@settings(max_examples=40, deadline=None)
@given(spec=offices, floors=st.integers(1, 2))
def test_furniture_never_splits_a_floor(spec: LevelSpec, floors: int) -> None:
    """The floor's walkable areas are as many with the furniture's cells taken as without them."""
    for floor in plan_level(spec.replace(floors=floors)).floors:
        occupied = floor.occupied if floor.occupied is not None else np.zeros_like(floor.floor_holes)
        without = floor_areas(floor.layout, floor.floor_holes)
        assert floor_areas(floor.layout, floor.floor_holes | occupied) == without
        assert not (occupied & floor.floor_holes).any() and not (occupied & floor.layout.solid).any()


@st.composite
def small_layouts(draw: st.DrawFn) -> Layout:
    width, depth = draw(st.integers(3, 9)), draw(st.integers(3, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32)))
    walls_h = rng.random((depth + 1, width)) < draw(st.floats(0.0, 0.6))
    walls_v = rng.random((depth, width + 1)) < draw(st.floats(0.0, 0.6))
    solid = rng.random((depth, width)) < draw(st.floats(0.0, 0.3))
    return Layout(walls_h, walls_v, solid, (0, 0))


@settings(max_examples=200, deadline=None)
@given(layout=small_layouts())
def test_a_cell_that_keeps_its_neighbours_joined_never_splits_anything(layout: Layout) -> None:
    """Against a flood fill: taking any one interior cell the ring test allows leaves as many
    walkable areas as before (less the cell itself, never a whole area)."""
    free = ~layout.solid
    ys, xs = np.nonzero(free[1:-1, 1:-1])
    xs, ys = xs + 1, ys + 1
    allowed = keeps_joined(layout, free, xs, ys)
    before = walkable_components(layout)
    for x, y in zip(xs[allowed].tolist(), ys[allowed].tolist(), strict=True):
        solid = layout.solid.copy()
        solid[y, x] = True
        assert walkable_components(dataclasses.replace(layout, solid=solid)) == before, (x, y)


def test_the_ring_test_refuses_a_corridor_cell() -> None:
    """A corridor one cell wide: each of its cells is the only way through."""
    depth, width = 3, 5
    walls_h = np.zeros((depth + 1, width), np.bool_)
    walls_h[1, :] = walls_h[2, :] = True  # the middle row is walled off from the rows beside it
    layout = Layout(walls_h, np.zeros((depth, width + 1), np.bool_), np.zeros((depth, width), np.bool_), (0, 0))
    assert not keeps_joined(layout, ~layout.solid, np.array([2]), np.array([1])).any()
    open_floor = dataclasses.replace(layout, walls_h=np.zeros_like(walls_h))
    assert keeps_joined(open_floor, ~layout.solid, np.array([2]), np.array([1])).all()


def _items(plan: LevelPlan, dx: float = 0.0) -> set[tuple[float, float, int]]:
    found = plan.meshes.copies_of(FURNITURE).instances()
    labels = [kind.label for kind in found.kinds]
    return {
        (round(float(p[0]) + dx, 3), round(float(p[1]), 3), labels[v])  # type: ignore[misc]
        for p, v in zip(found.positions, found.variants.tolist(), strict=True)
    }


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**40), cut=st.integers(3, 40), origin=st.integers(-(10**8), 10**8))
def test_open_regions_place_the_worlds_furniture_however_they_are_cut(seed: int, cut: int, origin: int) -> None:
    """Both halves of an open region, and a walk's chunks, place what the whole region places, at
    the cut too: each cell is decided from the world's cells around it."""
    spec = preset_spec("LEVEL_4", seed=seed, width=44, depth=20, perimeter=False, origin=(origin, -origin))
    whole = _items(plan_level(spec))
    west = _items(plan_level(spec.replace(width=cut)))
    east = _items(plan_level(spec.replace(width=44 - cut, origin=(origin + cut, -origin))), cut * spec.cell_size)
    assert whole == west | east


def test_a_level_4_walk_never_passes_through_the_worlds_furniture() -> None:
    for seed in range(8):
        spec = preset_spec("LEVEL_4", seed=seed, width=12, depth=12, origin=(37 * seed - 500, 11 - 53 * seed))
        walk = plan_walk(spec, length=60.0, view_radius=12.0)
        check_route(region_plan(walk), walk.route)  # the region walked, planned whole: the oracle


def test_furniture_stands_on_the_lattice_clear_of_walls_and_ceiling() -> None:
    spec = preset_spec("LEVEL_4", seed=5, width=40, depth=40)
    plan = plan_level(spec)
    mesh = plan.meshes[FURNITURE]
    assert mesh.areas().min() > 1e-4 and planarity_error(mesh) < 1e-4
    cells = np.argwhere(_furniture_cells(plan))
    assert len(cells) > 30
    assert (((cells + np.array(spec.origin)[::-1]) % LATTICE) == 1).all()
    corners = mesh.vertices.reshape(-1, 4, 3).astype(np.float64)
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    cell = np.floor(((lo + hi) / 2)[:, :2] / spec.cell_size).astype(int)
    margin = spec.wall_thickness / 2
    assert (lo[:, :2] >= cell * spec.cell_size + margin).all() and (
        hi[:, :2] <= (cell + 1) * spec.cell_size - margin
    ).all()
    assert _furniture_cells(plan)[cell[:, 1], cell[:, 0]].all(), "every face in a furniture cell"
    assert lo[:, 2].min() >= 0 and hi[:, 2].max() < 1.5


def test_the_instances_are_the_copies() -> None:
    plan = plan_level(preset_spec("LEVEL_4", seed=3, width=30, depth=30, floors=2))
    copies = plan.meshes.copies_of(FURNITURE)
    found = copies.instances()
    placed = np.concatenate(
        [
            found.kinds[v].mesh.vertices.astype(np.float64) + p
            for p, v in zip(found.positions, found.variants, strict=True)
        ]
    )
    built = copies.build().vertices.astype(np.float64)
    key = lambda a: a[np.lexsort(np.round(a, 4).T[::-1])]  # noqa: E731
    np.testing.assert_allclose(key(placed), key(built), atol=1e-4)
    assert copies.face_count == plan.meshes.face_count(FURNITURE) == len(built) // 4
    assert len(found.kinds) <= len(models(3.0)) and plan.uploaded_face_count() < plan.face_count()
    assert {z for z in np.round(found.positions[:, 2], 3).tolist()} == {0.0, plan.floors[1].base_z}


def test_furniture_collides_and_the_walk_goes_round_it() -> None:
    spec = preset_spec("LEVEL_4", seed=7, width=30, depth=30)
    plan = plan_level(spec)
    collision = collision_mesh(plan)
    without = collision_mesh(dataclasses.replace(plan, meshes=plan.meshes.replacing(FURNITURE, _empty(plan))))
    items = len(plan.meshes.copies_of(FURNITURE).instances().positions)
    assert collision.face_count - without.face_count == 5 * items > 0, "a box (four sides and a lid) each"
    furniture = plan.meshes[FURNITURE].vertices
    hull = collision.vertices[without.vertices.shape[0] :]
    assert np.allclose(hull.min(axis=0), furniture.min(axis=0)) and np.allclose(hull.max(axis=0), furniture.max(axis=0))
    route = plan_route(plan, 80.0, seed=1)
    cells = np.floor(route.positions[:, :2] / spec.cell_size).astype(int)
    assert not _furniture_cells(plan)[cells[:, 1], cells[:, 0]].any()
    assert not _furniture_cells(plan)[int(plan.spawn.position[1] // 3), int(plan.spawn.position[0] // 3)]


def _empty(plan: LevelPlan) -> MeshArrays:
    return quad_mesh(np.zeros((0, 4, 3)), np.zeros((0, 4, 2)), 0, plan.meshes.materials(FURNITURE))


def test_windows_line_the_perimeter_facing_in_and_only_a_closed_one() -> None:
    spec = preset_spec("LEVEL_4", seed=6, width=14, depth=11)
    windows = plan_level(spec).meshes["windows"]
    corners = windows.vertices.reshape(-1, 4, 3).astype(np.float64)
    middle = corners.mean(axis=1)
    size = (spec.width * spec.cell_size, spec.depth * spec.cell_size)
    to_edge = np.minimum.reduce([middle[:, 0], size[0] - middle[:, 0], middle[:, 1], size[1] - middle[:, 1]])
    assert windows.face_count > 20 and (to_edge < spec.wall_thickness).all(), "on the perimeter walls"
    inward = np.array(size) / 2 - middle[:, :2]
    assert (np.einsum("ij,ij->i", windows.normals()[:, :2].astype(np.float64), inward) > 0).all(), "facing in"
    assert "windows" not in plan_level(spec.replace(perimeter=False)).meshes


def test_level_4_s_plan_is_golden() -> None:
    plan = plan_level(preset_spec("LEVEL_4", seed=21, width=24, depth=18))
    sha = plan_hash(plan, plan.meshes)
    sha.update(_furniture_cells(plan).tobytes())
    assert sha.hexdigest() == GOLDEN_LEVEL_4
