"""Stacked floors and the holes between them: pitfalls and stairwells.

Each floor is an endless world of its own (its own seed), stacked SLAB_M above the one below: the
ground of one floor is the ceiling of the next. Where a hole may go is decided on the chunks that
cover the region, from world coordinates alone, so neighbouring regions agree. A hole is only ever
cut where a one-cell ring around it is open floor without walls: whoever walks there can walk
round it, so every floor stays connected.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from .algorithms.grid import BoolArray
from .features import Features
from .geometry import BASEBOARD, WALLPAPER, MeshArrays, Pieces, concat_meshes, level_faces, quad_mesh, vertical_faces
from .layout import Layout, build_layout
from .rng import hash64, uniform
from .spec import LevelSpec
from .styles import style_of

SLAB_M = 0.3  # concrete between one floor's ceiling and the next one's floor
PIT_DROP_M = 9.0  # how far the shaft of a ground-floor pitfall falls into darkness
PIT_LATTICE = 3  # pitfalls only at world cells (3k + 1, 3m + 1): never side by side
STAIR_CELLS = 3  # a stair climbs along +x over this many cells
STEP_RISE_M = 0.19
_FLOOR_STREAM = 0x464C4F4F  # "FLOO"
_PIT_STREAM = 0x50495446  # "PITF"
_STAIR_STREAM = 0x53544149  # "STAI"
HOLE_MATERIALS = ("wallpaper", "baseboard", "carpet")  # WALLPAPER, BASEBOARD, TREAD
TREAD = 2


def floor_spec(spec: LevelSpec, floor: int) -> LevelSpec:
    """The spec of one floor: the ground floor is the level's own; the others get their own seeds."""
    if floor == 0:
        return spec
    seed = int(hash64(spec.seed, _FLOOR_STREAM, np.int64(floor), np.int64(0))) >> 1
    return spec.replace(seed=seed)


def floor_height(spec: LevelSpec, floor: int) -> float:
    """Where a floor's ground is, in metres above the ground floor's."""
    return floor * (spec.wall_height + SLAB_M)


@dataclass(frozen=True)
class Cover:
    """The chunk-aligned layout around a region, and where the region lies in it."""

    layout: Layout
    offset: tuple[int, int]  # the region's first cell, in the cover's cells

    def crop(self, cells: BoolArray, spec: LevelSpec) -> BoolArray:
        """Cover cells -> the region's cells."""
        x, y = self.offset
        cropped: BoolArray = cells[y : y + spec.depth, x : x + spec.width]
        return cropped

    def embed(self, cells: BoolArray | None, spec: LevelSpec) -> BoolArray:
        """The region's cells -> cover cells (False outside the region)."""
        whole = np.zeros(self.layout.solid.shape, np.bool_)
        if cells is not None:
            x, y = self.offset
            whole[y : y + spec.depth, x : x + spec.width] = cells
        return whole

    def region(self, spec: LevelSpec) -> Layout:
        """The region's own layout, cut from the cover: what build_layout(spec) gives, built once."""
        x, y = self.offset
        whole = self.layout
        return Layout(
            whole.walls_h[y : y + spec.depth + 1, x : x + spec.width],
            whole.walls_v[y : y + spec.depth, x : x + spec.width + 1],
            whole.solid[y : y + spec.depth, x : x + spec.width],
            spec.origin,
        )

    def inside(self, starts: BoolArray, spec: LevelSpec) -> BoolArray:
        """Stair starts whose run and ring lie wholly in the region (the perimeter closes it)."""
        region = self.embed(np.ones((spec.depth, spec.width), np.bool_), spec)
        block = sliding_window_view(np.pad(region, ((1, 1), (1, STAIR_CELLS))), (3, STAIR_CELLS + 2))
        kept: BoolArray = starts & block.all(axis=(-2, -1))
        return kept


def cover(spec: LevelSpec) -> Cover:
    """The layout of the whole chunks that hold the region (the world's walls, no perimeter)."""
    size = spec.chunk_size
    ox, oy = spec.origin
    x0, y0 = (ox // size) * size, (oy // size) * size
    x1, y1 = -(-(ox + spec.width) // size) * size, -(-(oy + spec.depth) // size) * size
    whole = spec.replace(origin=(x0, y0), width=x1 - x0, depth=y1 - y0, floors=1)
    return Cover(build_layout(whole), (ox - x0, oy - y0))


def clear_blocks(layout: Layout, width: int, depth: int, chunk_size: int) -> BoolArray:
    """Per cell (as a block's south-west corner): is the width x depth block from there open floor
    without a wall between any two of its cells, and inside one chunk? Shape (depth, width) of the
    layout; False where the block does not fit."""
    rows, columns = layout.solid.shape
    clear = np.zeros((rows, columns), np.bool_)
    if rows < depth or columns < width:
        return clear
    blocked = sliding_window_view(layout.solid, (depth, width)).any(axis=(-2, -1))
    if width > 1:
        blocked |= sliding_window_view(layout.walls_v[:, 1:columns], (depth, width - 1)).any(axis=(-2, -1))
    if depth > 1:
        blocked |= sliding_window_view(layout.walls_h[1:rows], (depth - 1, width)).any(axis=(-2, -1))
    ys, xs = np.mgrid[0 : rows - depth + 1, 0 : columns - width + 1]
    ox, oy = layout.origin
    one_chunk = ((xs + ox) // chunk_size == (xs + ox + width - 1) // chunk_size) & (
        (ys + oy) // chunk_size == (ys + oy + depth - 1) // chunk_size
    )
    clear[: rows - depth + 1, : columns - width + 1] = ~blocked & one_chunk
    return clear


def _grown(cells: BoolArray, by: int) -> BoolArray:
    """Cells within `by` cells (Chebyshev) of a True cell."""
    grown = cells.copy()
    for _ in range(by):
        padded = np.pad(grown, 1)
        grown = sliding_window_view(padded, (3, 3)).any(axis=(-2, -1))
    return grown


def stairwells(spec: LevelSpec, lower: Cover, upper: Cover, taken: BoolArray) -> BoolArray:
    """The first cell of each stair run from a floor to the one above, in cover cells: at most one
    per chunk, where a ring of open floor surrounds the run on both floors."""
    block_w, block_d = STAIR_CELLS + 2, 3
    fits = clear_blocks(lower.layout, block_w, block_d, spec.chunk_size)
    fits &= clear_blocks(upper.layout, block_w, block_d, spec.chunk_size)
    fits &= ~sliding_window_view(np.pad(taken, ((0, 2), (0, block_w - 1))), (block_d, block_w)).any(axis=(-2, -1))
    rows, columns = fits.shape
    ox, oy = lower.layout.origin
    ys, xs = np.mgrid[0:rows, 0:columns]
    key = np.where(fits, hash64(spec.seed, _STAIR_STREAM, xs + ox, ys + oy), np.uint64(np.iinfo(np.uint64).max))
    chosen = np.zeros_like(fits)
    size = spec.chunk_size
    for cy in range(0, rows, size):
        for cx in range(0, columns, size):
            window = key[cy : cy + size, cx : cx + size]
            best = np.unravel_index(int(window.argmin()), window.shape)
            if fits[cy + best[0], cx + best[1]]:
                chosen[cy + best[0] + 1, cx + best[1] + 1] = True  # the run starts inside the ring
    return chosen


def stair_cells(starts: BoolArray) -> BoolArray:
    """Every cell a stair run covers, from the runs' first cells."""
    cells = starts.copy()
    for step in range(1, STAIR_CELLS):
        cells[:, step:] |= starts[:, :-step]
    return cells


def pitfalls(spec: LevelSpec, here: Cover, below: Cover | None, taken: BoolArray, taken_below: BoolArray) -> BoolArray:
    """Pitfall cells in cover cells: on the world's sparse lattice, with a ring of open floor, a
    pitfall_density share of the possible ones; above a floor, only over its open floor."""
    fits = np.zeros_like(taken)
    fits[1:-1, 1:-1] = clear_blocks(here.layout, 3, 3, spec.chunk_size)[:-2, :-2]
    fits &= ~_grown(taken, 1)
    rows, columns = fits.shape
    ox, oy = here.layout.origin
    ys, xs = np.mgrid[0:rows, 0:columns]
    wx, wy = xs + ox, ys + oy
    lattice = (wx % PIT_LATTICE == 1) & (wy % PIT_LATTICE == 1)
    share = min(1.0, spec.pitfall_density * PIT_LATTICE * PIT_LATTICE)
    chosen: BoolArray = fits & lattice & (uniform(spec.seed, _PIT_STREAM, wx, wy) < share)
    if below is not None:
        chosen &= ~below.layout.solid & ~taken_below
    return chosen


def cell_pieces(xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64], pieces: Pieces) -> npt.NDArray[np.int32]:
    """The piece each cell belongs to."""
    index: npt.NDArray[np.int32] = ((ys // pieces.cells) * pieces.columns + xs // pieces.cells).astype(np.int32)
    return index


def shaft_mesh(holes: BoolArray, top: float, bottom: float, cell_size: float, pieces: Pieces) -> MeshArrays:
    """Walls down the sides of holes in a slab, from `top` to `bottom`, facing into the holes."""
    padded = np.pad(holes, 1)
    meshes = []
    # Per side of a cell: the neighbour's offset, and the bottom edge's start and end corners as seen
    # from inside the hole (left to right), which makes the face look into the hole.
    for (dy, dx), (ax, ay, bx, by) in (
        ((0, -1), (0, 0, 0, 1)),  # west side, facing +x
        ((0, 1), (1, 1, 1, 0)),  # east side, facing -x
        ((-1, 0), (1, 0, 0, 0)),  # south side, facing +y
        ((1, 0), (0, 1, 1, 1)),  # north side, facing -y
    ):
        neighbour = padded[1 + dy : padded.shape[0] - 1 + dy, 1 + dx : padded.shape[1] - 1 + dx]
        ys, xs = np.nonzero(holes & ~neighbour)
        x0, y0 = (xs + ax) * cell_size, (ys + ay) * cell_size
        x1, y1 = (xs + bx) * cell_size, (ys + by) * cell_size
        faces = vertical_faces(x0, y0, x1, y1, bottom, top, WALLPAPER)
        meshes.append(quad_mesh(faces.corners, faces.uvs, WALLPAPER, HOLE_MATERIALS, cell_pieces(xs, ys, pieces)))
    return concat_meshes(*meshes)


def stair_mesh(starts: BoolArray, rise: float, cell_size: float, pieces: Pieces) -> MeshArrays:
    """Straight stairs climbing `rise` along +x over STAIR_CELLS cells from each start cell:
    treads (floor material), risers (baseboard) and solid sides (wall material)."""
    steps = int(np.ceil(rise / STEP_RISE_M))
    going = STAIR_CELLS * cell_size / steps
    ys, xs = np.nonzero(starts)
    y0, y1 = ys * cell_size, (ys + 1) * cell_size
    meshes = []
    for k in range(steps):
        x0 = xs * cell_size + k * going
        x1 = x0 + going
        z0, z1 = k * rise / steps, (k + 1) * rise / steps
        piece = cell_pieces(xs + int(k * going // cell_size), ys, pieces)
        for faces in (
            level_faces(x0, y0, x1, y1, z1, up=True, material=TREAD),
            vertical_faces(x0, y1, x0, y0, z0, z1, BASEBOARD),  # riser, facing -x
            vertical_faces(x0, y0, x1, y0, 0.0, z1, WALLPAPER),  # south side, facing -y
            vertical_faces(x1, y1, x0, y1, 0.0, z1, WALLPAPER),  # north side, facing +y
        ):
            meshes.append(quad_mesh(faces.corners, faces.uvs, faces.material, HOLE_MATERIALS, piece))
    return concat_meshes(*meshes)


def lifted(mesh: MeshArrays, dz: float) -> MeshArrays:
    """The mesh moved up by dz metres."""
    if dz == 0:
        return mesh
    vertices = mesh.vertices.astype(np.float64)
    vertices[:, 2] += dz
    return replace(mesh, vertices=vertices.astype(np.float32))


def linked(spec: LevelSpec) -> bool:
    """Whether the level has floors to join or pitfalls to cut (the Courtyard has neither)."""
    return style_of(spec.style).key != "LEVEL_188" and (spec.floors > 1 or spec.pitfall_density > 0)


def link_floors(spec: LevelSpec, own: list[Features], covers: list[Cover], pieces: Pieces) -> list[Features]:
    """Per floor, the holes and meshes that join it to its neighbours: stairwells up to the next
    floor, pitfalls down to the one below (or into darkness under the ground floor). `covers`: each
    floor's cover, for a linked level (see linked())."""
    if not linked(spec):
        return [Features() for _ in own]
    taken = [covers[f].embed(own[f].floor_holes, spec) for f in range(spec.floors)]
    stairs = []
    for floor in range(spec.floors - 1):
        starts = covers[floor].inside(
            stairwells(spec, covers[floor], covers[floor + 1], taken[floor] | taken[floor + 1]), spec
        )
        stairs.append(starts)
        run = stair_cells(starts)
        taken[floor] |= run
        taken[floor + 1] |= run
    pits = []
    for floor in range(spec.floors):
        below = covers[floor - 1] if floor else None
        taken_below = taken[floor - 1] if floor else np.zeros_like(taken[floor])
        found = pitfalls(floor_spec(spec, floor), covers[floor], below, taken[floor], taken_below)
        pits.append(found)
        taken[floor] |= found
    return [_links(spec, floor, covers[floor], stairs, pits, pieces) for floor in range(spec.floors)]


def _links(
    spec: LevelSpec, floor: int, here: Cover, stairs: list[BoolArray], pits: list[BoolArray], pieces: Pieces
) -> Features:
    """One floor's share: its pitfalls and the stair openings from below in its floor, the
    openings above its stairs and under the pitfalls of the floor above in its ceiling."""
    cell, rise = spec.cell_size, spec.wall_height + SLAB_M
    pit_here = here.crop(pits[floor], spec)
    arriving = here.crop(stair_cells(stairs[floor - 1]), spec) if floor else np.zeros_like(pit_here)
    leaving = here.crop(stairs[floor], spec) if floor < len(stairs) else np.zeros_like(pit_here)
    above = here.crop(pits[floor + 1], spec) if floor + 1 < len(pits) else np.zeros_like(pit_here)
    drop = PIT_DROP_M if floor == 0 else SLAB_M
    meshes = {}
    shafts = [
        shaft_mesh(holes, 0.0, -depth, cell, pieces)
        for holes, depth in ((pit_here, drop), (arriving, SLAB_M))
        if holes.any()
    ]
    if shafts:
        meshes["pitfalls"] = concat_meshes(*shafts)
    if leaving.any():
        meshes["stairs"] = stair_mesh(leaving, rise, cell, pieces)
    return Features(pit_here | arriving, stair_cells(leaving) | above, meshes)
