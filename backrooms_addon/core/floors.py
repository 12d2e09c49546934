"""Stacked floors and the holes between them: pitfalls and stairwells.

Each floor is an endless world of its own (its own seed), stacked SLAB_M above the one below: the
ground of one floor is the ceiling of the next. Where a hole may go is decided on the chunks that
cover the region, from world coordinates alone, so neighbouring regions agree. A hole is only ever
cut where a one-cell ring around it is open floor without walls: whoever walks there can walk
round it, so every floor stays connected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .algorithms.grid import BoolArray
from .features import Feature, Features, Story
from .geometry import BASEBOARD, WALLPAPER, MeshArrays, concat_meshes, level_faces, quad_mesh, vertical_faces
from .rng import hash64, uniform
from .spec import LevelSpec
from .world import Window

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


def _grown(cells: BoolArray, by: int) -> BoolArray:
    """Cells within `by` cells (Chebyshev) of a True cell."""
    grown = cells.copy()
    for _ in range(by):
        padded = np.pad(grown, 1)
        grown = sliding_window_view(padded, (3, 3)).any(axis=(-2, -1))
    return grown


def stairwells(spec: LevelSpec, lower: Window, upper: Window, taken: BoolArray) -> BoolArray:
    """The first cell of each stair run from a floor to the one above, in window cells: at most
    one per chunk, where a ring of open floor surrounds the run on both floors."""
    block_w, block_d = STAIR_CELLS + 2, 3
    fits = lower.open_world.blocks(block_w, block_d)
    fits &= upper.open_world.blocks(block_w, block_d)
    fits &= ~sliding_window_view(np.pad(taken, ((0, 2), (0, block_w - 1))), (block_d, block_w)).any(axis=(-2, -1))
    rows, columns = fits.shape
    ox, oy = lower.origin
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


def pitfalls(
    spec: LevelSpec, here: Window, below: Window | None, taken: BoolArray, taken_below: BoolArray
) -> BoolArray:
    """Pitfall cells in window cells: on the world's sparse lattice, with a ring of open floor, a
    pitfall_density share of the possible ones; above a floor, only over its open floor."""
    fits = np.zeros_like(taken)
    fits[1:-1, 1:-1] = here.open_world.blocks(3, 3)[:-2, :-2]
    fits &= ~_grown(taken, 1)
    rows, columns = fits.shape
    ox, oy = here.origin
    ys, xs = np.mgrid[0:rows, 0:columns]
    wx, wy = xs + ox, ys + oy
    lattice = (wx % PIT_LATTICE == 1) & (wy % PIT_LATTICE == 1)
    share = min(1.0, spec.pitfall_density * PIT_LATTICE * PIT_LATTICE)
    chosen: BoolArray = fits & lattice & (uniform(spec.seed, _PIT_STREAM, wx, wy) < share)
    if below is not None:
        chosen &= ~below.world.solid & ~taken_below
    return chosen


def shaft_mesh(holes: BoolArray, top: float, bottom: float, cell_size: float, window: Window) -> MeshArrays:
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
        meshes.append(quad_mesh(faces.corners, faces.uvs, WALLPAPER, HOLE_MATERIALS, window.piece_of_cells(xs, ys)))
    return concat_meshes(*meshes)


def stair_mesh(starts: BoolArray, rise: float, cell_size: float, window: Window) -> MeshArrays:
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
        piece = window.piece_of_cells(xs + int(k * going // cell_size), ys)
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


class FloorLinks(Feature):
    """Stairwells up to the next floor and pitfalls down to the one below (or into darkness)."""

    key = "floors"
    solid = ("pitfalls", "stairs")

    def wanted(self, spec: LevelSpec) -> bool:
        return spec.floors > 1 or spec.pitfall_density > 0

    def plan(self, spec: LevelSpec, stories: Sequence[Story], so_far: Sequence[Features]) -> list[Features]:
        return link_floors(spec, [story.window for story in stories], [own.taken for own in so_far])


FLOORS = FloorLinks()


def link_floors(spec: LevelSpec, windows: list[Window], own: list[BoolArray | None]) -> list[Features]:
    """Per floor, the holes and meshes that join it to its neighbours: stairwells up to the next
    floor, pitfalls down to the one below (or into darkness under the ground floor), away from
    the cells each floor's own features took (`own`, region cells)."""
    taken = [windows[f].embed(own[f]) for f in range(spec.floors)]
    stairs = []
    for floor in range(spec.floors - 1):
        lower, upper = windows[floor], windows[floor + 1]
        starts = lower.within(stairwells(spec, lower, upper, taken[floor] | taken[floor + 1]), (1, STAIR_CELLS, 1, 1))
        stairs.append(starts)
        run = stair_cells(starts)
        taken[floor] |= run
        taken[floor + 1] |= run
    pits = []
    for floor in range(spec.floors):
        below = windows[floor - 1] if floor else None
        taken_below = taken[floor - 1] if floor else np.zeros_like(taken[floor])
        found = pitfalls(floor_spec(spec, floor), windows[floor], below, taken[floor], taken_below)
        pits.append(found)
        taken[floor] |= found
    return [_links(spec, floor, windows[floor], stairs, pits) for floor in range(spec.floors)]


def _links(spec: LevelSpec, floor: int, here: Window, stairs: list[BoolArray], pits: list[BoolArray]) -> Features:
    """One floor's share: its pitfalls and the stair openings from below in its floor, the
    openings above its stairs and under the pitfalls of the floor above in its ceiling; its
    stairs stand on its floor."""
    cell, rise = spec.cell_size, spec.wall_height + SLAB_M
    pit_here = here.crop(pits[floor])
    arriving = here.crop(stair_cells(stairs[floor - 1])) if floor else np.zeros_like(pit_here)
    leaving = here.crop(stairs[floor]) if floor < len(stairs) else np.zeros_like(pit_here)
    above = here.crop(pits[floor + 1]) if floor + 1 < len(pits) else np.zeros_like(pit_here)
    drop = PIT_DROP_M if floor == 0 else SLAB_M
    meshes = {}
    openings = ((pit_here, drop), (arriving, SLAB_M))
    shafts = [shaft_mesh(holes, 0.0, -depth, cell, here) for holes, depth in openings if holes.any()]
    if shafts:
        meshes["pitfalls"] = concat_meshes(*shafts)
    if leaving.any():
        meshes["stairs"] = stair_mesh(leaving, rise, cell, here)
    return Features(pit_here | arriving, stair_cells(leaving) | above, meshes, occupied=stair_cells(leaving))
