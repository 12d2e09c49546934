"""Pools of the Poolrooms (Level 37): where they are carved, their basins, steps and water.

Where: every chunk draws a few candidate rectangles from the seed and its own world coordinates
(counter-based, so any region sees the same ones). A candidate becomes a pool only when the
rectangle and a one-cell ring around it lie inside the chunk, hold no pillar and have no wall
between any two of their cells, and when it keeps clear of the rings of the chunk's earlier pools.
Everyone can then walk round a pool on its ring, so cutting pools out of the floor never splits
the walkable cells, and since the decision reads nothing but its chunk, neighbouring regions agree.
A region keeps the part of each pool inside it and closes the basin along its own edge.

Shape: a basin is a height field over the pool, a flat bottom and, along one side, a stair of 2 to
4 treads coming down from the floor. Faces are cut wherever the height changes and at piece
borders, and every vertical face into bands at the heights the pool has, so faces meet edge to
edge: the basin and the rim of the floor's hole close without a gap. The water fills the same
height field from the bottom up to just below the floor, 2 mm inside the basin, as a closed solid.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from .algorithms.grid import BoolArray, FloatArray, IntArray
from .features import Feature, Features, Story
from .geometry import Faces, MeshArrays, Pieces, level_faces, quad_mesh, vertical_faces
from .layout import Layout
from .rng import uniform
from .spec import LevelSpec
from .world import OpenFloor, PieceIndex, Window

_POOL_STREAM = 0x504F4F4C  # "POOL"
CANDIDATES = 64  # rectangles drawn per chunk; pool_density is the chance that each one is tried
SIDE_MIN, SIDE_MAX = 2, 5  # a pool's sides, in cells
DEPTHS = (0.6, 1.2, 2.0)  # metres: shallow, waist-deep, over the head
TREADS = (2, 3, 4)  # treads of the stair into a pool of each depth: risers of 0.2, 0.3 and 0.4 m
TREAD_RUN = 0.35  # metres; shorter where a pool is short, so the stair takes at most half of it
WATER_LEVEL = -0.12  # metres: the water's surface, a little below the floor
WATER_INSET = 0.002  # metres between water and basin, so their faces never coincide
SLIVER_M = 0.01  # no two breaks of a basin's grid closer than this
WEST, EAST, SOUTH, NORTH = 0, 1, 2, 3  # the side a pool's stair starts from; it goes down away from it
_NUDGE = 0.01  # metres: a point this far in front of a face's centre is inside the face's piece
FACES_PER_CELL = 1.6  # basins, steps and water, per cell of the level at pool_density 1 (core/cost.py)

Wall = tuple[float, float, float, float, float, float]  # ua, va, ub, vb, z0, z1
Flat = tuple[float, float, float, float, float]  # ua, va, ub, vb, z


@dataclass(frozen=True)
class Pools:
    """Pools, one row each, in region cells: the whole rectangle x0 <= x < x1, y0 <= y < y1 (it may
    reach past the region's edges), which of DEPTHS (and TREADS) it has, and its stair's side."""

    rects: IntArray  # (n, 4) x0, y0, x1, y1
    kinds: IntArray  # (n,) index into DEPTHS and TREADS
    stairs: IntArray  # (n,) WEST, EAST, SOUTH or NORTH

    @property
    def count(self) -> int:
        return int(self.rects.shape[0])

    def clipped(self, width: int, depth: int) -> IntArray:
        """The rectangles cut to a region of width x depth cells (empty ones have x0 == x1 or y0 == y1)."""
        limits = np.array([width, depth, width, depth], np.int64)
        clipped: IntArray = np.clip(self.rects, 0, limits)
        return clipped


class PoolFeature(Feature):
    """Pools dug into the floor, at the spec's pool density, in any style that lists them."""

    key = "pools"
    solid = ("pools",)  # the basins; the water is left to the engine

    def wanted(self, spec: LevelSpec) -> bool:
        return spec.pool_density > 0

    def on_story(self, story: Story, so_far: Features) -> Features:
        return carved(story.window, story.built)

    def faces(self, spec: LevelSpec) -> float:
        return spec.width * spec.depth * spec.floors * spec.pool_density * FACES_PER_CELL


POOLS = PoolFeature()


def pool_features(spec: LevelSpec, layout: Layout, pieces: Pieces) -> Features:
    """The pools of a region on their own (scripts, benchmarks): see carved."""
    return carved(replace(Window.of(spec), pieces=pieces), layout)


def carved(window: Window, layout: Layout) -> Features:
    """Holes in the floor where the pools are, and the meshes of their basins and water.

    The pools are decided from the world's chunks, not from `layout` (whose outer edges may carry
    the perimeter, and which ends at the region's edge); it gives the size of the holes.
    """
    pools = find_pools(window)
    holes = pool_cells(pools, layout.width, layout.depth)
    basins, water = pool_meshes(pools, window)
    return Features(floor_holes=holes, meshes={"pools": basins, "water": water})


def find_pools(window: Window) -> Pools:
    """Every pool of the chunks the region touches, in region cells; none at pool_density 0."""
    spec, (cx0, cy0), (ncx, ncy) = window.spec, window.first_chunk, window.chunks
    if spec.pool_density <= 0:
        return Pools(np.zeros((0, 4), np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    cy, cx = np.meshgrid(np.arange(ncy, dtype=np.int64) + cy0, np.arange(ncx, dtype=np.int64) + cx0, indexing="ij")
    rects, kinds, stairs, kept = _candidates(spec, window.open_ground, cx.ravel(), cy.ravel())
    # From the window's cells to the region's.
    shift = np.array(window.offset * 2, np.int64)
    return Pools(rects[kept] - shift, kinds[kept], stairs[kept])


def _candidates(
    spec: LevelSpec, ground: OpenFloor, cx: IntArray, cy: IntArray
) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """Each chunk's candidates in order (rects in window cells, kinds, stairs) and which are kept."""
    size = spec.chunk_size
    draws = uniform(spec.seed, _POOL_STREAM, cx[:, None, None], cy[:, None, None], np.arange(CANDIDATES)[:, None],
                    np.arange(8))  # fmt: skip
    sides = SIDE_MAX - SIDE_MIN + 1
    w = SIDE_MIN + (draws[..., 0] * sides).astype(np.int64)
    h = SIDE_MIN + (draws[..., 1] * sides).astype(np.int64)
    # The ring needs a cell on each side inside the chunk: x runs from 1 to size - 1 - w.
    room_x, room_y = size - 1 - w, size - 1 - h
    x0 = ((cx - cx.min()) * size)[:, None] + 1 + (draws[..., 2] * np.maximum(room_x, 1)).astype(np.int64)
    y0 = ((cy - cy.min()) * size)[:, None] + 1 + (draws[..., 3] * np.maximum(room_y, 1)).astype(np.int64)
    rects = np.stack([x0, y0, x0 + w, y0 + h], axis=-1)
    tried = (draws[..., 4] < spec.pool_density) & (room_x >= 1) & (room_y >= 1)
    clear = tried & ground.clear(x0 - 1, y0 - 1, x0 + w + 1, y0 + h + 1)
    kinds = (draws[..., 5] * len(DEPTHS)).astype(np.int64)
    # The stair comes down along the pool's longer side, from one end or the other.
    along_x = (w > h) | ((w == h) & (draws[..., 6] < 0.5))
    first = draws[..., 7] < 0.5
    stairs = np.where(along_x, np.where(first, WEST, EAST), np.where(first, SOUTH, NORTH)).astype(np.int64)
    # Larger candidates first, so a chunk's open floor goes to its big pools before small ones.
    order = np.argsort(-(w * h), axis=1, kind="stable")
    rects = np.take_along_axis(rects, order[..., None], axis=1)
    clear = np.take_along_axis(clear, order, axis=1)
    kinds = np.take_along_axis(kinds, order, axis=1)
    stairs = np.take_along_axis(stairs, order, axis=1)
    return rects.reshape(-1, 4), kinds.ravel(), stairs.ravel(), _apart(rects, clear).ravel()


def _apart(rects: IntArray, clear: BoolArray) -> BoolArray:
    """(chunks, candidates): the clear candidates kept in order, each a cell of gap (its ring) away
    from the pools kept before it in its chunk."""
    kept = np.zeros(clear.shape, np.bool_)
    for k in range(clear.shape[1]):
        a, b = rects[:, k : k + 1], rects[:, :k]
        near = (a[..., 0] <= b[..., 2]) & (b[..., 0] <= a[..., 2]) & (a[..., 1] <= b[..., 3]) & (b[..., 1] <= a[..., 3])
        kept[:, k] = clear[:, k] & ~(near & kept[:, :k]).any(axis=1)
    return kept


def pool_cells(pools: Pools, width: int, depth: int) -> BoolArray:
    """(depth, width): the region's cells inside a pool."""
    x0, y0, x1, y1 = pools.clipped(width, depth).T
    corners = np.zeros((depth + 1, width + 1), np.int64)
    for ys, xs, step in ((y0, x0, 1), (y0, x1, -1), (y1, x0, -1), (y1, x1, 1)):
        np.add.at(corners, (ys, xs), step)
    cells: BoolArray = corners.cumsum(axis=0).cumsum(axis=1)[:depth, :width] > 0
    return cells


# ---------------------------------------------------------------------------------------------
# Basins and water


@dataclass(frozen=True)
class _Frame:
    """A pool seen from its stair: v runs away from the stair (deeper as it grows), u across.

    World x, y is (u, sign * v) for a stair on the south or north side, (sign * v, u) for one on
    the west or east side (see _world).
    """

    swap: bool
    sign: float

    @classmethod
    def of(cls, stair: int) -> _Frame:
        return cls(swap=stair in (WEST, EAST), sign=1.0 if stair in (WEST, SOUTH) else -1.0)

    def span(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A world rectangle as (u0, u1, v0, v1), each pair in increasing order."""
        (u0, u1), (a0, a1) = ((y0, y1), (x0, x1)) if self.swap else ((x0, x1), (y0, y1))
        return (u0, u1, a0, a1) if self.sign > 0 else (u0, u1, -a1, -a0)


def pool_meshes(pools: Pools, window: Window) -> tuple[MeshArrays, MeshArrays]:
    """The basins ("pool_tile", facing into the pools) and the water ("water", closed solids) of
    the pools' parts inside the region, each face tagged with its piece."""
    spec = window.spec
    cell, border = spec.cell_size, window.pieces.cells * spec.cell_size
    # Faces in each pool's frame, with its stair's side last: mapped to the world all at once.
    # The stair's profile comes from the whole pool, so a pool cut by the region keeps its shape.
    basin_walls: list[tuple[float, ...]] = []
    basin_flats: list[tuple[float, ...]] = []
    water_walls: list[tuple[float, ...]] = []
    water_flats: list[tuple[float, ...]] = []
    clipped = pools.clipped(spec.width, spec.depth)
    for rect, cut, kind, stair in zip(pools.rects, clipped, pools.kinds, pools.stairs.astype(float), strict=True):
        if cut[0] == cut[2] or cut[1] == cut[3]:
            continue  # the pool lies outside the region
        frame = _Frame.of(int(stair))
        _, _, v_start, v_end = frame.span(*(float(c) * cell for c in rect))
        u0, u1, v0, v1 = frame.span(*(float(c) * cell for c in cut))
        lines, levels = _profile(v_start, v_end, DEPTHS[kind], TREADS[kind])
        us = _breaks(u0, u1, _borders(u0, u1, border, 1.0))
        vs = _breaks(v0, v1, [*lines, *_borders(v0, v1, border, frame.sign)])
        heights = [levels[bisect_left(lines, (a + b) / 2)] for a, b in pairwise(vs)]
        walls, flats = _heightfield(us, vs, heights, 0.0)
        basin_walls += [(*wall, stair) for wall in walls]
        basin_flats += [(*flat, 1.0, stair) for flat in flats]
        wet_us, wet_vs, wet_heights = _inset(us, vs, heights)
        walls, flats = _heightfield(wet_us, wet_vs, wet_heights, WATER_LEVEL)
        water_walls += [(*wall, stair) for wall in walls]
        water_flats += [(*flat, 0.0, stair) for flat in flats]  # the water's bottom faces down
        water_flats += [(*flat, 1.0, stair) for flat in _grid_flats(wet_us, wet_vs, WATER_LEVEL)]
    return (
        _mesh(basin_walls, basin_flats, "pool_tile", window, flip=False),
        _mesh(water_walls, water_flats, "water", window, flip=True),
    )


def _profile(v_start: float, v_end: float, depth: float, treads: int) -> tuple[list[float], list[float]]:
    """Where the stair's steps are along v (`lines`) and the floor heights: levels[k] beyond k lines."""
    run = min(TREAD_RUN, (v_end - v_start) / (2 * treads))
    riser = depth / (treads + 1)
    lines = [v_start + run * (k + 1) for k in range(treads)]
    return lines, [-riser * (k + 1) for k in range(treads)] + [-depth]


def _borders(low: float, high: float, size: float, sign: float) -> list[float]:
    """Piece borders (multiples of `size` in the world, `sign` times that in the frame) in [low, high]."""
    ends = sorted((sign * low / size, sign * high / size))
    return [sign * k * size for k in range(math.ceil(ends[0]), math.floor(ends[1]) + 1)]


def _breaks(low: float, high: float, inside: list[float]) -> list[float]:
    """low, high and the values between them, sorted, none closer than SLIVER_M to another: where
    the region's edge cuts a pool a hair from a step or a piece border, that break goes (the step
    moves by less than SLIVER_M), so no face is a sliver and the inset water never turns inside out."""
    values = [low, *sorted(v for v in inside if low + SLIVER_M < v < high - SLIVER_M), high]
    return [v for i, v in enumerate(values) if i == 0 or v - values[i - 1] > SLIVER_M]


def _heightfield(us: list[float], vs: list[float], heights: list[float], rim: float) -> tuple[list[Wall], list[Flat]]:
    """Faces in the frame of a basin over the grid of breaks us x vs, with a height per v segment.

    A flat face per grid rectangle, and a vertical face wherever the height changes (against the
    surroundings at `rim` too), cut into bands at every height, so faces meet edge to edge. A wall
    runs from (ua, va) to (ub, vb) so that its front, normal (dv, -du), looks into the pool.
    """
    levels = sorted({*heights, rim})
    outer = [rim, *heights, rim]
    walls: list[Wall] = []
    for low, high in pairwise(levels):
        for j, h in enumerate(heights):
            if h <= low:  # the sides along v
                walls.append((us[0], vs[j], us[0], vs[j + 1], low, high))
                walls.append((us[-1], vs[j + 1], us[-1], vs[j], low, high))
        for j, v in enumerate(vs):  # the ends and the risers, across v
            before, after = outer[j], outer[j + 1]
            if min(before, after) <= low and high <= max(before, after):
                deeper_ahead = after < before
                for a, b in pairwise(us):
                    walls.append((b, v, a, v, low, high) if deeper_ahead else (a, v, b, v, low, high))
    flats = [(a, vs[j], b, vs[j + 1], h) for j, h in enumerate(heights) for a, b in pairwise(us)]
    return walls, flats


def _inset(us: list[float], vs: list[float], heights: list[float]) -> tuple[list[float], list[float], list[float]]:
    """The grid and heights of the water: WATER_INSET inside the basin's every face."""
    d = WATER_INSET
    outer = [0.0, *heights, 0.0]
    # A line across v moves towards its deeper side; piece borders inside a step stay.
    shifted = [v + d * ((outer[j] > outer[j + 1]) - (outer[j] < outer[j + 1])) for j, v in enumerate(vs)]
    return [us[0] + d, *us[1:-1], us[-1] - d], shifted, [h + d for h in heights]


def _grid_flats(us: list[float], vs: list[float], z: float) -> list[Flat]:
    return [(a, c, b, d, z) for c, d in pairwise(vs) for a, b in pairwise(us)]


def _world(u: FloatArray, v: FloatArray, stair: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Region metres of points in the frames of pools with these stairs (see _Frame)."""
    swap = (stair == WEST) | (stair == EAST)
    sign = np.where((stair == WEST) | (stair == SOUTH), 1.0, -1.0)
    return np.where(swap, sign * v, u), np.where(swap, u, sign * v)


def _mesh(
    walls: list[tuple[float, ...]],
    flats: list[tuple[float, ...]],
    material: str,
    window: Window,
    flip: bool,
) -> MeshArrays:
    """One mesh of walls (ua, va, ub, vb, z0, z1, stair) and flats (ua, va, ub, vb, z, up, stair)
    in their pools' frames; with `flip`, walls look out of the pool (the water's)."""
    w = np.asarray(walls, np.float64).reshape(-1, 7)
    xa, ya = _world(w[:, 0], w[:, 1], w[:, 6])
    xb, yb = _world(w[:, 2], w[:, 3], w[:, 6])
    # A mirror image turns a face's front to its back: there the bottom edge runs the other way.
    mirrored = ((w[:, 6] == WEST) | (w[:, 6] == EAST)) == ((w[:, 6] == WEST) | (w[:, 6] == SOUTH))
    xa, ya, xb, yb = (np.where(mirrored, b, a) for a, b in ((xa, xb), (ya, yb), (xb, xa), (yb, ya)))
    f = np.asarray(flats, np.float64).reshape(-1, 7)
    x0, y0 = _world(f[:, 0], f[:, 1], f[:, 6])
    x1, y1 = _world(f[:, 2], f[:, 3], f[:, 6])
    rects = np.column_stack([np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)])
    # A point just in front of a wall (before any flip) lies in the pool, so in the wall's piece.
    length = np.maximum(np.hypot(xb - xa, yb - ya), 1e-9)
    front_x = (xa + xb) / 2 + _NUDGE * (yb - ya) / length
    front_y = (ya + yb) / 2 - _NUDGE * (xb - xa) / length
    if flip:
        xa, ya, xb, yb = xb, yb, xa, ya
    faces: list[Faces] = []
    owners: list[PieceIndex] = []
    for (z0, z1), group in _groups(w[:, 4:6]):
        faces.append(vertical_faces(xa[group], ya[group], xb[group], yb[group], z0, z1, 0))
        owners.append(window.piece_at(front_x[group], front_y[group]))
    for (z, up), group in _groups(f[:, 4:6]):
        x0, y0, x1, y1 = rects[group].T
        faces.append(level_faces(x0, y0, x1, y1, z, up=up > 0.5, material=0))
        middle = (rects[group, :2] + rects[group, 2:]) / 2
        owners.append(window.piece_at(middle[:, 0], middle[:, 1]))
    corners = np.concatenate([np.zeros((0, 4, 3), np.float32), *(face.corners for face in faces)])
    uvs = np.concatenate([np.zeros((0, 4, 2), np.float32), *(face.uvs for face in faces)])
    piece = np.concatenate([np.zeros(0, np.int32), *owners])
    return quad_mesh(corners, uvs, 0, (material,), piece)


def _groups(keys: FloatArray) -> list[tuple[tuple[float, float], IntArray]]:
    """Rows with the same pair of values (heights), as ((a, b), row indices), in a fixed order."""
    if not len(keys):
        return []
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return [((float(a), float(b)), np.nonzero(inverse == k)[0]) for k, (a, b) in enumerate(unique)]
