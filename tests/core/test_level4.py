"""Level 4, the Abandoned Office: its furniture and meeting rooms never block the way, agree across
regions, are instanced exactly like their copies and collide; the fallen tiles lie under dark slots
in the ceiling; the layout document lists the furniture; its plan is golden."""

from __future__ import annotations

import dataclasses
import json
from unittest import mock

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from level_checks import area_labels, floor_areas, plan_hash, planarity_error, preset_specs, walkable_components

from backrooms_addon.core import meeting_rooms
from backrooms_addon.core.collision import collision_mesh
from backrooms_addon.core.furniture import FALLEN, FURNITURE, GAP_SIDE, GAPS, LATTICE, MODELS, keeps_joined, models
from backrooms_addon.core.geometry import MeshArrays, quad_mesh
from backrooms_addon.core.layout import Layout
from backrooms_addon.core.levels import preset_spec
from backrooms_addon.core.meeting_rooms import SIDE, rooms, walled_in
from backrooms_addon.core.plan import LevelPlan, PlacedCopies, plan_level
from backrooms_addon.core.spec import LevelSpec
from backrooms_addon.core.stream import plan_walk
from backrooms_addon.core.walk import plan_route
from tests.core.test_stream import region_plan
from tests.core.test_walk import check_route

# Level 4 at a size this small, on both numpy versions alike.
GOLDEN_LEVEL_4 = "dee4e0434c270a806418f05e5df1514b28f444e8c7c02fbe1c80b12660447db1"

offices = preset_specs("LEVEL_4", smallest=3, far=10**6, pitfall_density=st.sampled_from([0.0, 0.3]))
# Open cuts of the world too: a closed level's joins (core/joins.py) would open a sealed room again.
open_offices = preset_specs(
    "LEVEL_4", smallest=3, far=10**6, pitfall_density=st.sampled_from([0.0, 0.3]), perimeter=st.just(False)
)


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
    if FURNITURE not in plan.meshes.instanced:  # a strip too narrow for any piece of furniture
        return set()
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


# ---------------------------------------------------------------------------------------------
# Meeting rooms


def _room_edges(layout: Layout, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
    """The walls on the room's 12 boundary edges and on its 12 inner edges (region cells)."""
    boundary = [layout.walls_h[y, x : x + SIDE], layout.walls_h[y + SIDE, x : x + SIDE]]
    boundary += [layout.walls_v[y : y + SIDE, x], layout.walls_v[y : y + SIDE, x + SIDE]]
    inner = [
        layout.walls_h[y + 1 : y + SIDE, x : x + SIDE].ravel(),
        layout.walls_v[y : y + SIDE, x + 1 : x + SIDE].ravel(),
    ]
    return np.concatenate(boundary), np.concatenate(inner)


@settings(max_examples=25, deadline=None)
@given(spec=open_offices)
def test_a_meeting_room_is_closed_with_one_door_and_its_table_in_the_middle(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    floor = plan.floors[0]
    labels = _labels_at(plan)
    xs, ys, _ = rooms(spec)
    ox, oy = spec.origin
    for x, y in zip((xs - ox).tolist(), (ys - oy).tolist(), strict=True):
        if not (0 < x < spec.width - SIDE and 0 < y < spec.depth - SIDE):
            continue  # the room and its ring reach past the region's edge
        boundary, inner = _room_edges(floor.layout, x, y)
        assert (~boundary).sum() == 1 and not inner.any(), "walls all round but a door, none inside"
        assert not _ring_walls(floor.layout, x, y).any(), "the ring round it is one walkable loop"
        middle = (x + 1, y + 1)
        if not floor.floor_holes[middle[1], middle[0]]:  # a pitfall may open there: the ring goes round it
            assert labels[middle].startswith("meeting table"), labels.get(middle)


def test_meeting_rooms_are_common_enough_to_find() -> None:
    """Not vacuous: big levels hold several, on one floor and on two."""
    spec = preset_spec("LEVEL_4", seed=2, width=60, depth=60)
    assert len(rooms(spec)[0]) >= 5 and len(rooms(spec.replace(floors=2))[0]) >= 1
    tables = [label for label in _labels_at(plan_level(spec)).values() if label.startswith("meeting table")]
    assert len(tables) >= len(rooms(spec)[0])


def _ring_walls(layout: Layout, x: int, y: int) -> np.ndarray:
    """The walls between neighbouring cells of the ring round the room at (x, y)."""
    ring = meeting_rooms.RING
    found = []
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        if ax != bx:
            found.append(layout.walls_v[y + ay, x + max(ax, bx)])
        else:
            found.append(layout.walls_h[y + max(ay, by), x + ax])
    return np.array(found)


def _labels_at(plan: LevelPlan) -> dict[tuple[int, int], str]:
    if FURNITURE not in plan.meshes.instanced:
        return {}
    found = plan.meshes.copies_of(FURNITURE).instances()
    size = plan.spec.cell_size
    return {
        (int(p[0] // size), int(p[1] // size)): found.kinds[v].label
        for p, v in zip(found.positions, found.variants.tolist(), strict=True)
        if p[2] == 0
    }


@settings(max_examples=30, deadline=None)
@given(spec=offices, floors=st.integers(1, 2), pools=st.sampled_from([0.0, 0.05]))
@example(spec=preset_spec("LEVEL_4", seed=5, width=30, depth=30), floors=1, pools=0.05)  # a room by a pool
def test_meeting_rooms_never_split_a_floor_with_its_holes(spec: LevelSpec, floors: int, pools: float) -> None:
    """Cells joined without the rooms stay joined with them (pools, pitfalls and stair openings
    not walkable): the holes' rings and the rooms' rings never cross. Without the joins, which
    would open a sealed room again, and with the rooms that lie wholly inside, rings and all (the
    edge of a closed level may cut a room off from its ring: the joins open that, as any wall)."""
    spec = spec.replace(floors=floors, pool_density=pools)
    with mock.patch("backrooms_addon.core.plan.joined", lambda layout, seed, *blocked: layout):
        with mock.patch.object(meeting_rooms, "ROOM_SHARE", 0.0):
            without = plan_level(spec)
        with mock.patch.object(meeting_rooms, "rooms", lambda area: _rooms_inside(area, spec)):
            built = plan_level(spec)
    for floor, bare in zip(built.floors, without.floors, strict=True):
        # Stairs look for open floor on the floor as its rooms shape it, so the holes may move:
        # the level's own holes, with its rooms and without.
        built_areas, bare_areas = (
            area_labels(floor.layout, floor.floor_holes),
            area_labels(bare.layout, floor.floor_holes),
        )
        for area in range(1, bare_areas.max() + 1):  # each area without the rooms lies in one area with them
            assert len(np.unique(built_areas[bare_areas == area])) == 1, area


def _rooms_inside(area: LevelSpec, region: LevelSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rooms of `area` (the window the rooms are walled into) wholly inside `region`."""
    xs, ys, doors = rooms(area)
    (ox, oy), far = region.origin, (region.origin[0] + region.width - 1, region.origin[1] + region.depth - 1)
    inside = (xs - 1 >= ox) & (xs + SIDE <= far[0]) & (ys - 1 >= oy) & (ys + SIDE <= far[1])
    return xs[inside], ys[inside], doors[inside]


def test_a_closed_level_s_cells_are_the_world_s_rooms_and_all() -> None:
    """The layout document's cells describe the world: a closed level's are its open cut's, with
    the rooms its edge cuts through."""
    spec = preset_spec("LEVEL_4", seed=2, width=41, depth=37, origin=(-7, 5))
    assert 0 < len(_rooms_inside(spec, spec)[0]) < len(rooms(spec)[0]), "rooms inside, and one the edge cuts"
    closed, open_cut = plan_level(spec), plan_level(spec.replace(perimeter=False))
    np.testing.assert_array_equal(closed.layout.cells(), open_cut.layout.cells())
    assert floor_areas(closed.floors[0].layout) == 1


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**40), cut=st.integers(1, 39), origin=st.integers(-(10**8), 10**8))
def test_meeting_rooms_are_the_same_however_the_world_is_cut(seed: int, cut: int, origin: int) -> None:
    spec = preset_spec("LEVEL_4", seed=seed, width=40, depth=30, perimeter=False, origin=(origin, 7 - origin))
    whole = walled_in(spec, _world(spec))
    west_spec = spec.replace(width=cut)
    east_spec = spec.replace(width=40 - cut, origin=(origin + cut, 7 - origin))
    west, east = walled_in(west_spec, _world(west_spec)), walled_in(east_spec, _world(east_spec))
    np.testing.assert_array_equal(whole.walls_h, np.concatenate([west.walls_h, east.walls_h], axis=1))
    np.testing.assert_array_equal(whole.walls_v[:, :cut], west.walls_v[:, :-1])
    np.testing.assert_array_equal(whole.walls_v[:, cut:], east.walls_v)


def _world(spec: LevelSpec) -> Layout:
    from backrooms_addon.core.world import Window

    window = Window.of(spec)
    return window.region(window.ground)


# ---------------------------------------------------------------------------------------------
# Fallen tiles


def test_a_fallen_tile_lies_tilted_under_a_dark_slot_in_the_ceiling() -> None:
    spec = preset_spec("LEVEL_4", seed=21, width=40, depth=40)
    plan = plan_level(spec)
    found = plan.meshes.copies_of(FURNITURE).instances()
    tiles = [(p, found.kinds[v].mesh) for p, v in zip(found.positions, found.variants, strict=True)]
    tiles = [
        (p, mesh) for (p, mesh), v in zip(tiles, found.variants, strict=True) if found.kinds[v].label.startswith(FALLEN)
    ]
    gaps = plan.meshes[GAPS]
    assert len(tiles) >= 2 and gaps.face_count == len(tiles)
    corners = gaps.vertices.reshape(-1, 4, 3).astype(np.float64)
    middles = corners.mean(axis=1)
    assert np.allclose(corners[..., 2], spec.wall_height - 0.004) and (gaps.normals()[:, 2] < -0.99).all()
    assert np.allclose(np.ptp(corners[..., 0], axis=1), GAP_SIDE) and np.allclose(
        np.ptp(corners[..., 1], axis=1), GAP_SIDE
    )
    for position, mesh in tiles:
        low, high = mesh.vertices.min(axis=0) + position, mesh.vertices.max(axis=0) + position
        apart = np.sort(np.linalg.norm(middles[:, :2] - (low[:2] + high[:2]) / 2, axis=1))
        assert apart[0] < 0.45 and (apart[1:] > 3.0).all(), "one slot over each tile (it slid a little as it fell)"
        assert abs(low[2]) < 1e-6 and 0.05 < high[2] < 0.2, "on the floor, tilted"
    troffers = plan.fixtures[:, :2]
    apart = np.abs(middles[:, None, :2] - troffers[None]).max(axis=2)
    assert (apart > 0.6).all(), "never where a troffer hangs"


def test_open_regions_cut_the_same_ceiling_slots() -> None:
    spec = preset_spec("LEVEL_4", seed=5, width=44, depth=24, perimeter=False, origin=(1001, -77))
    cut = 19
    parts = [plan_level(spec.replace(width=cut)), plan_level(spec.replace(width=44 - cut, origin=(1001 + cut, -77)))]
    whole = _slots(plan_level(spec))
    assert whole and whole == _slots(parts[0]) | _slots(parts[1], cut * spec.cell_size)


def _slots(plan: LevelPlan, dx: float = 0.0) -> set[tuple[float, float]]:
    if GAPS not in plan.meshes:
        return set()
    middles = plan.meshes[GAPS].vertices.reshape(-1, 4, 3).astype(np.float64).mean(axis=1)
    return {(round(float(x) + dx, 3), round(float(y), 3)) for x, y, _ in middles}


# ---------------------------------------------------------------------------------------------
# The layout document


def test_the_layout_document_lists_the_furniture_as_it_collides() -> None:
    plan = plan_level(preset_spec("LEVEL_4", seed=3, width=30, depth=30, floors=2))
    listed = json.loads(json.dumps(plan.to_json()))["placed"][FURNITURE]
    found = plan.meshes.copies_of(FURNITURE).instances()
    expected = sorted(
        (found.kinds[v].label, tuple(np.round(p, 4).tolist()))
        for p, v in zip(found.positions, found.variants, strict=True)
    )
    assert sorted((f"{row['model']} {row['turn_degrees']}", tuple(row["position"])) for row in listed) == expected
    assert {row["model"] for row in listed} <= set(MODELS)
    copies = plan.meshes.copies_of(FURNITURE)
    assert isinstance(copies, PlacedCopies)
    hulls = copies.hulls().vertices.reshape(-1, 20, 3).astype(np.float64)  # five quads a copy
    boxes = np.stack([hulls.min(axis=1), hulls.max(axis=1)], axis=1)
    documented = np.array([row["box"] for row in listed])
    key = lambda a: a[np.lexsort(np.round(a.reshape(len(a), -1), 3).T[::-1])]  # noqa: E731
    np.testing.assert_allclose(key(documented), key(boxes), atol=1e-3)
    cells = np.floor(np.array([row["position"] for row in listed])[:, :2] / plan.spec.cell_size)
    inside = (documented[:, 0, :2] >= cells * plan.spec.cell_size) & (
        documented[:, 1, :2] <= (cells + 1) * plan.spec.cell_size
    )
    assert inside.all(), "each box in its item's cell"


def test_level_4_s_plan_is_golden() -> None:
    plan = plan_level(preset_spec("LEVEL_4", seed=21, width=24, depth=18))
    sha = plan_hash(plan, plan.meshes)
    sha.update(_furniture_cells(plan).tobytes())
    assert sha.hexdigest() == GOLDEN_LEVEL_4
