"""Layout: the walls and pillars of a region of the endless world, assembled from chunks.

The world is a grid of cells cut into square chunks. A chunk is a pure function of (seed, spec,
chunk coordinates): its algorithm carves inside it, its pillars stand in its open areas. The edges
on a chunk border are decided from their world coordinates alone, so the chunks on both sides
agree, and every border keeps at least one opening, so the connected chunks make a connected
world. A region is cut out of the chunks that cover it: its cells never depend on its own bounds.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .algorithms import ALGORITHMS
from .algorithms.grid import BoolArray, ChunkBatch, FloatArray, IntArray, Passages
from .density import blend_ranks
from .rng import hash64, uniform
from .spec import LevelSpec

_EDGE_STREAM = 0x45444745  # "EDGE"
_BORDER_STREAM = 0x424F5244  # "BORD"
_PILLAR_STREAM = 0x50494C4C  # "PILL"
BORDER_SHARE = 0.8  # at most this share of a chunk border is walled, even at density 1
PILLAR_RATE = 0.1  # chance that a cell in the middle of an open area holds a pillar
# From this many chunks on (about 880 x 880 cells) a layout is carved in two halves side by side;
# below, the halves' many small numpy steps wait on each other for the GIL and one goes faster.
SPLIT_CHUNKS = 3_000

NORTH, EAST, SOUTH, WEST, SOLID = 1, 2, 4, 8, 16


@dataclass(frozen=True)
class Layout:
    """A region's walls on cell edges and its solid cells.

    walls_h[j, i]: wall along the south edge of cell (i, j), shape (depth + 1, width);
    walls_v[j, i]: wall along the west edge of cell (i, j), shape (depth, width + 1);
    solid[j, i]: cell (i, j) is not walkable (a pillar). Cell (i, j) is at world cell
    (origin_x + i, origin_y + j). The outer edges are the world's walls there: a region is
    not closed unless the world happens to be.
    """

    walls_h: BoolArray
    walls_v: BoolArray
    solid: BoolArray
    origin: tuple[int, int] = (0, 0)

    @property
    def width(self) -> int:
        return int(self.walls_h.shape[1])

    @property
    def depth(self) -> int:
        return int(self.walls_v.shape[0])

    def wall_count(self) -> int:
        """Number of wall edges, the region's outer edges included."""
        return int(self.walls_h.sum() + self.walls_v.sum())

    def cells(self) -> npt.NDArray[np.uint8]:
        """Per cell, bits for walled sides (1 north, 2 east, 4 south, 8 west) and 16 for solid."""
        bits = (
            NORTH * self.walls_h[1:]
            + EAST * self.walls_v[:, 1:]
            + SOUTH * self.walls_h[:-1]
            + WEST * self.walls_v[:, :-1]
            + SOLID * self.solid
        )
        cells: npt.NDArray[np.uint8] = bits.astype(np.uint8)
        return cells

    def closed(self) -> Layout:
        """The same region with walls all round its perimeter, for building a finite level."""
        walls_h, walls_v = self.walls_h.copy(), self.walls_v.copy()
        walls_h[[0, -1], :] = True
        walls_v[:, [0, -1]] = True
        return Layout(walls_h, walls_v, self.solid, self.origin)

    def cut(self, offset: tuple[int, int], width: int, depth: int) -> Layout:
        """The width x depth cells from `offset` (in this layout's cells) as a layout of their own."""
        x, y = offset
        return Layout(
            np.ascontiguousarray(self.walls_h[y : y + depth + 1, x : x + width]),
            np.ascontiguousarray(self.walls_v[y : y + depth, x : x + width + 1]),
            np.ascontiguousarray(self.solid[y : y + depth, x : x + width]),
            (self.origin[0] + x, self.origin[1] + y),
        )

    def digest(self) -> str:
        """SHA-256 of the layout: equal digests mean identical layouts."""
        sha = hashlib.sha256()
        for array in (self.walls_h, self.walls_v, self.solid):
            sha.update(np.asarray(array.shape, np.int64).tobytes())
            sha.update(np.packbits(array).tobytes())
        return sha.hexdigest()


def build_layout(spec: LevelSpec) -> Layout:
    """The spec's region of the world, cut from the chunks that cover it."""
    first, count = covering_chunks(spec)
    whole = chunk_layout(spec, first, count)
    ox, oy = spec.origin
    return whole.cut((ox - whole.origin[0], oy - whole.origin[1]), spec.width, spec.depth)


def covering_chunks(spec: LevelSpec) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first chunk (chunk coordinates) of the whole chunks that cover the spec's region, and
    how many of them there are along x and y."""
    size = spec.chunk_size
    ox, oy = spec.origin
    cx0, cy0 = ox // size, oy // size
    return (cx0, cy0), ((ox + spec.width - 1) // size - cx0 + 1, (oy + spec.depth - 1) // size - cy0 + 1)


def chunk_layout(spec: LevelSpec, first: tuple[int, int], count: tuple[int, int]) -> Layout:
    """The world's walls and pillars over whole chunks (from chunk `first`, `count` along x and y):
    no perimeter, its origin the first chunk's first cell."""
    if count[0] * count[1] >= SPLIT_CHUNKS and count[1] >= 2:
        return _in_halves(spec, first, count)
    return _chunks_carved(spec, first, count)


def _in_halves(spec: LevelSpec, first: tuple[int, int], count: tuple[int, int]) -> Layout:
    """chunk_layout of the south and the north rows of chunks, carved side by side (numpy
    releases the GIL), then joined. The same layout: a chunk depends on its world coordinates
    alone, and both halves draw the border line they share from those."""
    (cx0, cy0), (ncx, ncy) = first, count
    half = ncy // 2
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backrooms-chunks") as worker:
        north = worker.submit(_chunks_carved, spec, (cx0, cy0 + half), (ncx, ncy - half))
        south = _chunks_carved(spec, first, (ncx, half))
        top = north.result()
    return Layout(
        np.vstack([south.walls_h[:-1], top.walls_h]),
        np.vstack([south.walls_v, top.walls_v]),
        np.vstack([south.solid, top.solid]),
        south.origin,
    )


def _chunks_carved(spec: LevelSpec, first: tuple[int, int], count: tuple[int, int]) -> Layout:
    """chunk_layout in one go."""
    size, (cx0, cy0), (ncx, ncy) = spec.chunk_size, first, count
    cy, cx = np.meshgrid(np.arange(ncy, dtype=np.int64) + cy0, np.arange(ncx, dtype=np.int64) + cx0, indexing="ij")
    batch = ChunkBatch(spec.seed, np.column_stack([cx.ravel(), cy.ravel()]), size, spec.room_min, spec.room_max)
    corner = (cx0 * size, cy0 * size)
    walls_h, walls_v = _assemble(spec, batch, count, corner)
    return Layout(walls_h, walls_v, _pillars(spec.seed, walls_h, walls_v, size, corner), corner)


def _assemble(
    spec: LevelSpec, batch: ChunkBatch, chunks: tuple[int, int], corner: tuple[int, int]
) -> tuple[BoolArray, BoolArray]:
    """Walls of the chunk-aligned area: carved chunk interiors plus the world's border edges."""
    size, (ncx, ncy), (wx, wy) = batch.size, chunks, corner
    passages = ALGORITHMS[spec.algorithm](batch)
    east_walls, north_walls = _thinned(spec, passages, batch)
    width, depth = ncx * size, ncy * size
    walls_v = np.empty((depth, width + 1), np.bool_)
    walls_h = np.empty((depth + 1, width), np.bool_)
    # (chunk row, chunk col, y, x) -> (world row, chunk col, x) so each chunk's cells land in place.
    inner_v = east_walls.reshape(ncy, ncx, size, size - 1).transpose(0, 2, 1, 3).reshape(depth, ncx, size - 1)
    inner_h = north_walls.reshape(ncy, ncx, size - 1, size).transpose(0, 2, 1, 3)
    walls_v[:, :-1].reshape(depth, ncx, size)[:, :, 1:] = inner_v
    walls_h[:-1].reshape(ncy, size, width)[:, 1:, :] = inner_h.reshape(ncy, size - 1, width)
    rows = np.arange(depth, dtype=np.int64) + wy
    columns = np.arange(width, dtype=np.int64) + wx
    border_x = np.arange(ncx + 1, dtype=np.int64) * size + wx
    border_y = np.arange(ncy + 1, dtype=np.int64) * size + wy
    walls_v[:, ::size] = border_walls(spec, 1, border_x[None, :], rows[:, None], size)
    walls_h[::size, :] = border_walls(spec, 0, border_y[:, None], columns[None, :], size)
    return walls_h, walls_v


def _thinned(spec: LevelSpec, passages: Passages, batch: ChunkBatch) -> tuple[BoolArray, BoolArray]:
    """Inner walls that stand at this density: no passage, and a rank below the density."""
    size = batch.size
    east_value, north_value = passages.east_value, passages.north_value
    if east_value is None or north_value is None:
        ly, lx = np.mgrid[0:size, 0:size]
        wx = batch.coords[:, 0, None, None] * size + lx
        wy = batch.coords[:, 1, None, None] * size + ly
        # East passage (x, y)-(x+1, y) is the vertical edge at world x + 1; north is horizontal.
        east_value = edge_ranks(spec.seed, 1, wx[:, :, :-1] + 1, wy[:, :, :-1])
        north_value = edge_ranks(spec.seed, 0, wy[:, :-1, :] + 1, wx[:, :-1, :])
    return ~passages.east & (east_value < spec.density), ~passages.north & (north_value < spec.density)


def edge_ranks(seed: int, axis: int, line: IntArray, along: IntArray) -> FloatArray:
    """Thinning rank of world edges: axis 0 horizontal edges on row `line`, 1 vertical on column `line`.

    Runs of three edges share most of their rank, so thinning leaves short wall pieces, not dust.
    """
    run = uniform(seed, _EDGE_STREAM, axis, line, along // 3)
    edge = uniform(seed, _EDGE_STREAM + 1, axis, line, along)
    return blend_ranks(run, edge, major=0.7)


def border_walls(spec: LevelSpec, axis: int, line: IntArray, along: IntArray, size: int) -> BoolArray:
    """Walls on chunk borders, from world coordinates only; each chunk's side keeps an opening."""
    ranks = blend_ranks(
        uniform(spec.seed, _BORDER_STREAM, axis, line, along // 4),
        uniform(spec.seed, _BORDER_STREAM + 1, axis, line, along),
        major=0.75,
    )
    segment = along // size
    opening = hash64(spec.seed, _BORDER_STREAM + 2, axis, line, segment) % np.uint64(size)
    walled: BoolArray = (ranks < spec.density * BORDER_SHARE) & ((along % size) != opening.astype(np.int64))
    return walled


def _pillars(seed: int, walls_h: BoolArray, walls_v: BoolArray, size: int, corner: tuple[int, int]) -> BoolArray:
    """Solid cells in the middle of open areas, never on a chunk's outer ring, never touching.

    A pillar stands only where the 3 x 3 cells around it have no wall inside, so the ring of
    cells around it stays walkable and connected: it can never cut a path.
    """
    depth, width = walls_v.shape[0], walls_h.shape[1]
    clear = np.zeros((depth, width), np.bool_)
    # The two vertical lines through the block (x and x + 1) over rows y - 1 .. y + 1, and the
    # two horizontal lines (y and y + 1) over columns x - 1 .. x + 1.
    v_lines = walls_v[:-2, 1:-2] | walls_v[1:-1, 1:-2] | walls_v[2:, 1:-2]
    v_lines = v_lines | walls_v[:-2, 2:-1] | walls_v[1:-1, 2:-1] | walls_v[2:, 2:-1]
    h_lines = walls_h[1:-2, :-2] | walls_h[1:-2, 1:-1] | walls_h[1:-2, 2:]
    h_lines = h_lines | walls_h[2:-1, :-2] | walls_h[2:-1, 1:-1] | walls_h[2:-1, 2:]
    clear[1:-1, 1:-1] = ~v_lines & ~h_lines
    # Cell coordinates as a row and a column: the grid-wide arrays come from broadcasting, and
    # hash64 mixes each coordinate on its own row or column before combining them.
    lx, ly = np.arange(width, dtype=np.int64)[None, :], np.arange(depth, dtype=np.int64)[:, None]
    inner = _inner(ly, size) & _inner(lx, size)
    priority = uniform(seed, _PILLAR_STREAM, lx + corner[0], ly + corner[1])
    candidate = clear & inner & (priority < PILLAR_RATE)
    return _lowest_around(candidate, priority)


def _lowest_around(candidate: BoolArray, priority: FloatArray) -> BoolArray:
    """The candidates with a lower draw than every neighbouring candidate (8 around). Candidates
    are few, so only their neighbourhoods are looked at."""
    padded = np.pad(np.where(candidate, priority, -1.0), 1, constant_values=-1.0)
    rows, columns = np.nonzero(candidate)
    draw = priority[rows, columns]
    best = np.full(rows.shape, True)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx or dy:
                other = padded[rows + 1 + dy, columns + 1 + dx]
                best &= (other < 0) | (other > draw)
    solid = np.zeros(candidate.shape, np.bool_)
    solid[rows[best], columns[best]] = True
    return solid


def _inner(along: IntArray, size: int) -> BoolArray:
    """Coordinates off their chunk's outer ring."""
    within = along % size
    inner: BoolArray = (within >= 1) & (within <= size - 2)
    return inner
