"""Pools (Level 37): where they may stand, connected floors, seamless regions, closed basins and water.

The mesh checks work from coordinates alone: quads' edges compared by their rounded end points,
and "inside the pool" decided by casting a ray upwards through the basin's own level faces.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from level_checks import planarity_error, quad_corners, split_region, walkable_components

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.algorithms import ALGORITHMS
from backrooms_addon.core.geometry import MeshArrays, Pieces
from backrooms_addon.core.layout import Layout, build_layout
from backrooms_addon.core.pools import (
    DEPTHS,
    SIDE_MAX,
    SIDE_MIN,
    TREADS,
    WATER_INSET,
    WATER_LEVEL,
    find_pools,
    pool_cells,
    pool_features,
    pool_meshes,
)
from backrooms_addon.core.styles import style_of
from backrooms_addon.core.world import Window

# Pool meshes of a reference region: a change here changes what users' seeds produce.
GOLDEN_POOLS = "eea077112b30fddfc26f448c4902210733fb4b4d52fd2924f005337d3ab44847"
FAR = 10**9 - 200
specs = st.builds(
    LevelSpec,
    seed=st.integers(0, (1 << 64) - 1),
    width=st.integers(1, 40),
    depth=st.integers(1, 40),
    density=st.floats(0.0, 0.7),
    origin=st.tuples(st.integers(-FAR, FAR), st.integers(-FAR, FAR)),
    chunk_size=st.sampled_from([6, 8, 9, 16]),
    room_min=st.integers(1, 4),
    room_max=st.just(6),
    cell_size=st.floats(1.0, 4.0),
    piece_chunks=st.integers(1, 2),
    perimeter=st.booleans(),
    style=st.just("LEVEL_37"),
    pool_density=st.floats(0.05, 1.0),
)


@st.composite
def chunk_windows(draw: st.DrawFn) -> LevelSpec:
    """Regions that are exactly a block of whole chunks, with pools."""
    size = draw(st.sampled_from([6, 8, 16]))
    return LevelSpec(
        seed=draw(st.integers(0, (1 << 64) - 1)),
        chunk_size=size,
        width=size * draw(st.integers(1, 3)),
        depth=size * draw(st.integers(1, 3)),
        origin=(size * draw(st.integers(-1000, 1000)), size * draw(st.integers(-1000, 1000))),
        density=draw(st.floats(0.0, 1.0)),
        algorithm=draw(st.sampled_from(sorted(ALGORITHMS))),
        room_min=1,
        room_max=draw(st.integers(1, size)),
        style="LEVEL_37",
        pool_density=draw(st.floats(0.05, 1.0)),
    )


def features(spec: LevelSpec) -> tuple[np.ndarray, MeshArrays, MeshArrays]:
    pieces = Pieces.covering(spec.width, spec.depth, spec.piece_cells)
    found = pool_features(spec, build_layout(spec), pieces)
    assert found.floor_holes is not None
    return found.floor_holes, found.meshes["pools"], found.meshes["water"]


def key(point: np.ndarray) -> tuple[float, ...]:
    return tuple(np.round(point, 5).tolist())


def directed_edges(mesh: MeshArrays) -> Counter[tuple[tuple[float, ...], tuple[float, ...]]]:
    q = quad_corners(mesh)
    return Counter((key(face[k]), key(face[(k + 1) % 4])) for face in q for k in range(4))


def hole_boundary(holes: np.ndarray) -> Counter[tuple[int, int, int]]:
    """Unit cell edges between a pool cell and anything else (the region's outside too):
    (0, x line, row) for edges along y, (1, y line, column) for edges along x."""
    padded = np.pad(holes, 1)
    edges: Counter[tuple[int, int, int]] = Counter()
    for y, x in zip(*np.nonzero(padded[1:-1, 1:] != padded[1:-1, :-1]), strict=True):
        edges[(0, int(x), int(y))] += 1
    for y, x in zip(*np.nonzero(padded[1:, 1:-1] != padded[:-1, 1:-1]), strict=True):
        edges[(1, int(y), int(x))] += 1
    return edges


def rim_lengths(a: tuple[float, ...], b: tuple[float, ...], cell: float) -> dict[tuple[int, int, int], float]:
    """How much of each unit cell edge a rim edge covers, in cells; it must lie on a cell line."""
    (xa, ya, _), (xb, yb, _) = np.array(a) / cell, np.array(b) / cell
    if abs(xa - xb) < 1e-9:
        axis, line, lo, hi = 0, xa, min(ya, yb), max(ya, yb)
    else:
        assert abs(ya - yb) < 1e-9, "a rim edge runs along x or y"
        axis, line, lo, hi = 1, ya, min(xa, xb), max(xa, xb)
    assert abs(line - round(line)) < 1e-4, "the rim is off the cell lines"
    # To the rounding of the end points (0.1 mm) only: a step may stand a hair past a cell line,
    # and its sliver counts in the next cell.
    first, last = int(np.floor(lo + 1e-4)), int(np.ceil(hi - 1e-4))
    return {(axis, round(line), k): min(hi, k + 1) - max(lo, k) for k in range(first, last)}


def inside_pools(basin: MeshArrays, holes: np.ndarray, cell: float, points: np.ndarray) -> np.ndarray:
    """Whether points are in the pools' open volume, by parity: a ray straight up crosses the
    basin's level faces above the point, then the floor's hole (the volume's open lid)."""
    q = quad_corners(basin)
    flat = np.ptp(q[:, :, 2], axis=1) < 1e-9
    lo, hi, z = q[flat, :, :2].min(axis=1), q[flat, :, :2].max(axis=1), q[flat, 0, 2]
    x, y, pz = points[:, 0, None], points[:, 1, None], points[:, 2, None]
    over = (lo[:, 0] < x) & (x < hi[:, 0]) & (lo[:, 1] < y) & (y < hi[:, 1]) & (z > pz)
    cx, cy = np.floor(points[:, 0] / cell).astype(int), np.floor(points[:, 1] / cell).astype(int)
    in_region = (cx >= 0) & (cx < holes.shape[1]) & (cy >= 0) & (cy < holes.shape[0])
    lid = np.zeros(len(points), bool)
    lid[in_region] = holes[cy[in_region], cx[in_region]] & (points[in_region, 2] < 0)
    crossings: np.ndarray = over.sum(axis=1) + lid
    return crossings % 2 == 1


def signed_volume(mesh: MeshArrays) -> float:
    """Volume enclosed by the faces (positive when their normals look outwards), from z = 0."""
    q = quad_corners(mesh)
    total = 0.0
    for a, b, c in ((0, 1, 2), (0, 2, 3)):
        total += float(np.einsum("ij,ij->i", q[:, a], np.cross(q[:, b], q[:, c])).sum()) / 6
    return total


@given(specs)
def test_pools_stand_only_where_the_rule_allows(spec: LevelSpec) -> None:
    pools = find_pools(Window.of(spec))
    size = spec.chunk_size
    ox, oy = spec.origin
    rects = pools.rects + np.array([ox, oy, ox, oy])  # world cells
    for (x0, y0, x1, y1), kind in zip(rects.tolist(), pools.kinds.tolist(), strict=True):
        assert SIDE_MIN <= x1 - x0 <= SIDE_MAX and SIDE_MIN <= y1 - y0 <= SIDE_MAX
        assert 0 <= kind < len(DEPTHS)
        # The rectangle and its ring, x0 - 1 .. x1 and y0 - 1 .. y1, inside one chunk.
        cx, cy = (x0 - 1) // size, (y0 - 1) // size
        assert x1 // size == cx and y1 // size == cy
        chunk = build_layout(spec.replace(origin=[cx * size, cy * size], width=size, depth=size))
        pillars = style_of(spec.style).pillars  # the Poolrooms have none
        lx0, ly0, lx1, ly1 = x0 - 1 - cx * size, y0 - 1 - cy * size, x1 + 1 - cx * size, y1 + 1 - cy * size
        for y in range(ly0, ly1):
            for x in range(lx0, lx1):
                assert not (pillars and chunk.solid[y, x]), "a pillar in a pool or its ring"
                assert x == lx0 or not chunk.walls_v[y, x], "a wall inside a pool or its ring"
                assert y == ly0 or not chunk.walls_h[y, x], "a wall inside a pool or its ring"
    for i in range(len(rects)):
        for j in range(i):
            a, b = rects[i], rects[j]
            apart = a[0] > b[2] or b[0] > a[2] or a[1] > b[3] or b[1] > a[3]
            assert apart, "two pools closer than a ring apart"


@given(chunk_windows())
def test_the_walkable_floor_stays_one_area(spec: LevelSpec) -> None:
    layout = plan_level(spec).layout  # as the level is built: the Poolrooms have no pillars
    holes = features(spec)[0]
    assert walkable_components(Layout(layout.walls_h, layout.walls_v, layout.solid | holes)) == 1


@given(specs, st.integers(1, 30), st.booleans())
def test_adjacent_regions_agree_on_pool_cells(spec: LevelSpec, extra: int, along_x: bool) -> None:
    whole, second = split_region(spec, extra, along_x)
    joined = np.concatenate([features(spec)[0], features(second)[0]], axis=1 if along_x else 0)
    np.testing.assert_array_equal(joined, features(whole)[0])


def test_the_ground_pools_are_dug_into_is_the_world_as_the_style_builds_it() -> None:
    spec = LevelSpec(seed=11, width=40, depth=28, origin=(-29, 163), chunk_size=16, density=0.5)
    window = Window.of(spec)
    whole = build_layout(spec.replace(origin=(-32, 160), width=48, depth=32))
    assert window.first_chunk == (-2, 10) and window.chunks == (3, 2) and window.offset == (3, 3)
    assert window.ground.digest() == window.world.digest() == whole.digest()
    pillarless = Window.of(spec.replace(style="LEVEL_37")).ground
    assert not pillarless.solid.any() and pillarless.walls_h.tobytes() == whole.walls_h.tobytes()


def test_no_pools_at_pool_density_zero() -> None:
    spec = LevelSpec(seed=4, width=64, depth=64, style="LEVEL_37", density=0.3, pool_density=0.0)
    assert find_pools(Window.of(spec)).count == 0
    assert "pools" not in plan_level(spec).meshes
    holes, basin, water = features(spec)
    assert not holes.any() and basin.face_count == 0 and water.face_count == 0


def test_more_pool_density_more_pools() -> None:
    cells = [
        features(LevelSpec(seed=9, width=96, depth=96, density=0.3, pool_density=d))[0].sum() for d in (0.1, 0.5, 1.0)
    ]
    assert 0 < cells[0] < cells[1] < cells[2]


@given(specs)
def test_basins_close_against_the_floor_hole(spec: LevelSpec) -> None:
    holes, basin, _ = features(spec)
    edges = directed_edges(basin)
    rim: dict[tuple[int, int, int], float] = {}
    for (a, b), count in edges.items():
        assert count == 1, "two basin faces run along an edge the same way"
        if (b, a) not in edges:
            assert a[2] == 0 and b[2] == 0, f"an open edge below the floor: {a} {b}"
            for unit, length in rim_lengths(a, b, spec.cell_size).items():
                rim[unit] = rim.get(unit, 0.0) + length
        else:
            assert a[2] < 0 or b[2] < 0, "a basin edge lies in the floor"
    assert rim.keys() == hole_boundary(holes).keys(), "the rim and the floor's hole do not match"
    assert np.allclose(list(rim.values()), 1.0, atol=1e-4), "the rim covers the hole's edge once"


@given(specs)
def test_basin_faces_look_into_the_pool(spec: LevelSpec) -> None:
    holes, basin, _ = features(spec)
    if not basin.face_count:
        return
    q = quad_corners(basin).astype(np.float64)
    centres = q.mean(axis=1)
    normals = basin.normals().astype(np.float64)
    # A small step off each face: a region's edge may cut a pool's stair a few millimetres from its
    # closing wall, leaving a sliver of pool that a longer step would cross.
    step = 1e-4
    assert inside_pools(basin, holes, spec.cell_size, centres + step * normals).all()
    assert not inside_pools(basin, holes, spec.cell_size, centres - step * normals).any()


@given(specs)
def test_water_is_a_closed_solid_inside_the_basin(spec: LevelSpec) -> None:
    holes, basin, water = features(spec)
    edges = directed_edges(water)
    assert all(count == 1 and edges[(b, a)] == 1 for (a, b), count in edges.items()), "the water is not closed"
    if not water.face_count:
        assert not holes.any()
        return
    q = quad_corners(water)
    assert q[:, :, 2].max() <= WATER_LEVEL + 1e-6
    points = np.concatenate([q.reshape(-1, 3), q.mean(axis=1)])
    assert inside_pools(basin, holes, spec.cell_size, points).all(), "water outside the basin"
    # Outward normals enclose a positive volume: the pools' volume below the water line, less the inset.
    below_floor = -signed_volume(basin)  # the basin's faces look into the volume; its lid at z = 0 adds nothing
    full = below_floor - abs(WATER_LEVEL) * holes.sum() * spec.cell_size**2
    assert 0.9 * full < signed_volume(water) < full


@given(specs)
def test_pools_lie_below_the_floor_with_their_steps(spec: LevelSpec) -> None:
    _, basin, _ = features(spec)
    q = quad_corners(basin)
    assert q[:, :, 2].max(initial=0.0) <= 0.0
    deepest = -max(DEPTHS)
    assert q[:, :, 2].min(initial=0.0) >= deepest - 1e-6
    flat = np.ptp(q[:, :, 2], axis=1) < 1e-9
    assert (q[flat, 0, 2] < 0).all(), "nothing of the basin lies flat at floor level"
    assert (basin.normals()[flat, 2] > 0.99).all(), "bottoms and treads face up"
    # A whole pool has its bottom and one level per tread: 3 to 5 levels.
    pools = find_pools(Window.of(spec))
    inside = pools.clipped(spec.width, spec.depth)
    for rect, cut, kind in zip(pools.rects, inside, pools.kinds, strict=True):
        if (rect == cut).all():
            x0, y0, x1, y1 = rect * spec.cell_size
            mid = q[flat].mean(axis=1)
            mine = (mid[:, 0] > x0) & (mid[:, 0] < x1) & (mid[:, 1] > y0) & (mid[:, 1] < y1)
            levels = np.unique(np.round(q[flat][mine, 0, 2], 4))
            assert len(levels) == TREADS[kind] + 1
            assert np.isclose(levels.min(), -DEPTHS[kind], atol=1e-5)


@given(specs)
def test_pool_meshes_are_valid_quads_in_their_pieces(spec: LevelSpec) -> None:
    _, basin, water = features(spec)
    pieces = Pieces.covering(spec.width, spec.depth, spec.piece_cells)
    size = pieces.cells * spec.cell_size
    for mesh in (basin, water):
        if not mesh.face_count:
            continue
        assert mesh.areas().min() > 1e-6 and planarity_error(mesh) < 1e-4
        q = quad_corners(mesh)
        assert len({tuple(sorted(map(key, face))) for face in q}) == mesh.face_count, "no duplicate faces"
        row, column = np.divmod(mesh.pieces, pieces.columns)
        assert ((mesh.pieces >= 0) & (mesh.pieces < pieces.count)).all()
        # Within the piece, but for a few millimetres: water (by its inset) and the faces of a step whose
        # riser stands on a piece border may reach just past it.
        lo, hi = q[:, :, :2].min(axis=1), q[:, :, :2].max(axis=1)
        slack = 0.01
        assert (lo[:, 0] >= column * size - slack).all() and (hi[:, 0] <= (column + 1) * size + slack).all()
        assert (lo[:, 1] >= row * size - slack).all() and (hi[:, 1] <= (row + 1) * size + slack).all()
        # UVs in metres: a face's UV extent is its size.
        uv = mesh.uvs.reshape(-1, 4, 2).astype(np.float64)
        assert np.allclose(np.ptp(uv, axis=1).prod(axis=1), mesh.areas(), rtol=1e-3, atol=1e-5)


def test_the_level_plan_has_pools_water_and_a_floor_around_them() -> None:
    spec = LevelSpec(seed=3, width=48, depth=48, density=0.3, style="LEVEL_37", pool_density=0.8)
    plan = plan_level(spec)
    holes = pool_cells(find_pools(Window.of(spec)), spec.width, spec.depth)
    assert holes.any()
    assert plan.meshes["pools"].materials == ("pool_tile",) and plan.meshes["water"].materials == ("water",)
    floor = plan.meshes["floor"]
    area = float(floor.areas().sum())
    assert np.isclose(area, (~holes).sum() * spec.cell_size**2, rtol=1e-5)
    # The floor covers every cell but the pools', once.
    covered = np.zeros_like(holes)
    for face in quad_corners(floor):
        x0, y0 = np.rint(face[:, :2].min(axis=0) / spec.cell_size).astype(int)
        x1, y1 = np.rint(face[:, :2].max(axis=0) / spec.cell_size).astype(int)
        assert not covered[y0:y1, x0:x1].any(), "floor faces overlap"
        covered[y0:y1, x0:x1] = True
    np.testing.assert_array_equal(covered, ~holes)
    assert plan.meshes["water"].lightmap is not None


def test_water_is_inset_from_the_basin() -> None:
    spec = LevelSpec(seed=3, width=48, depth=48, density=0.3, style="LEVEL_37", pool_density=0.8)
    _, basin, water = features(spec)
    qb, qw = quad_corners(basin), quad_corners(water)
    # Every water face lies WATER_INSET in front of a parallel basin face, or is the surface.
    surface = np.isclose(qw[:, :, 2], WATER_LEVEL).all(axis=1)
    basin_normals, water_normals = basin.normals().astype(np.float64), water.normals().astype(np.float64)
    basin_planes = np.einsum("ij,ij->i", qb[:, 0], basin_normals)
    for face, normal in zip(qw[~surface], water_normals[~surface], strict=True):
        facing = np.isclose(basin_normals @ -normal, 1.0, atol=1e-4)
        gap = face[0] @ -normal - basin_planes[facing]
        assert np.isclose(gap, WATER_INSET, atol=2e-4).any()


def test_pools_are_deterministic() -> None:
    spec = LevelSpec(seed=21, width=40, depth=40, origin=(-7, 13), density=0.3, style="LEVEL_37", pool_density=0.7)

    def digest() -> str:
        sha = hashlib.sha256()
        window = Window.of(spec)
        for mesh in pool_meshes(find_pools(window), window):
            for array in (mesh.vertices, mesh.uvs, mesh.pieces):
                sha.update(np.ascontiguousarray(array).tobytes())
        return sha.hexdigest()

    # The same bytes in every process and on every numpy version (1.26 and 2.x alike).
    assert digest() == digest() == GOLDEN_POOLS
    assert features(spec)[0].sum() == features(spec)[0].sum() > 0
