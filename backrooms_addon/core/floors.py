"""Stacked floors and the holes between them: pitfalls and stairwells.

Each floor is an endless world of its own (its own seed), stacked SLAB_M above the one below: the
ground of one floor is the ceiling of the next. Where a hole may go is decided on the chunks that
cover the region, from world coordinates alone, so neighbouring regions agree. A hole is only ever
cut where a one-cell ring around it is open floor without walls: whoever walks there can walk
round it, so every floor stays connected. Where a floor's style has no such open floor (one-cell
tunnels), the floors it joins get a stairwell cleared out of their walls in every chunk instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from .algorithms.grid import BoolArray
from .features import Feature, Features, Story
from .geometry import BASEBOARD, WALLPAPER, MeshArrays, concat_meshes, level_faces, quad_mesh, vertical_faces
from .layout import Layout
from .rng import hash64, uniform
from .spec import LevelSpec
from .styles import style_of
from .world import OpenFloor, Window

SLAB_M = 0.3  # concrete between one floor's ceiling and the next one's floor
PIT_DROP_M = 9.0  # how far the shaft of a ground-floor pitfall falls into darkness
PIT_LATTICE = 3  # pitfalls only at world cells (3k + 1, 3m + 1): never side by side
STAIR_CELLS = 3  # a stair climbs along +x over this many cells
STEP_RISE_M = 0.19
_FLOOR_STREAM = 0x464C4F4F  # "FLOO"
_PIT_STREAM = 0x50495446  # "PITF"
_STAIR_STREAM = 0x53544149  # "STAI"
_CLEAR_STREAM = 0x434C5257  # "CLRW"
CLEARED_CHUNK = 8  # the least chunk that holds a cleared stairwell for each of two floor pairs
HOLE_MATERIALS = ("wallpaper", "baseboard", "carpet")  # WALLPAPER, BASEBOARD, TREAD
TREAD = 2


# What a level keeps on every floor whatever its style: where and how big the region is, the world's
# grain and the settings of the level as a whole.
_LEVEL_FIELDS = ("seed", "width", "depth", "origin", "floors", "floor_styles")


def floor_spec(spec: LevelSpec, floor: int) -> LevelSpec:
    """The spec of one floor: the ground floor is the level's own; the others get their own seeds,
    and a floor of another style (floor_styles) that style preset's look and layout settings over
    the same extent in metres (floor_extent)."""
    if floor == 0:
        return spec
    seed = int(hash64(spec.seed, _FLOOR_STREAM, np.int64(floor), np.int64(0))) >> 1
    style = floor_style(spec, floor)
    if style == spec.style:  # the level's own (floor_styles is the level's to check, not each floor's)
        return spec.replace(seed=seed, floor_styles=[])
    look = _style_settings(style)
    width, depth, origin = floor_extent(spec, look["cell_size"])
    return spec.replace(**look, seed=seed, width=width, depth=depth, origin=origin, floor_styles=[])


def floor_style(spec: LevelSpec, floor: int) -> str:
    """The style of one floor: its entry in floor_styles, else the level's."""
    return spec.floor_styles[floor] if floor < len(spec.floor_styles) else spec.style


def _style_settings(style: str) -> dict[str, Any]:
    """The settings that make a style what it is: every field a style's preset sets (the preset of
    the same key, LEVEL_0's being the defaults), as that style's preset has them."""
    from .levels import LEVEL_PRESETS, preset_spec  # the presets build on the spec, as this does

    styled = {key for preset in LEVEL_PRESETS.values() if "style" in preset.values for key in preset.values}
    values = preset_spec(style).to_dict()
    return {key: values[key] for key in sorted(styled | {"style", "cell_size"}) if key not in _LEVEL_FIELDS}


def floor_extent(spec: LevelSpec, cell_size: float) -> tuple[int, int, tuple[int, int]]:
    """Width, depth and origin in cells of `cell_size` of a floor over a level of `spec`: it starts
    at the level's south-west corner and covers at least the ground floor's extent in metres; its
    world origin is the ground floor's scaled to its cells (rounded down), so that regions side by
    side whose origins scale to whole cells continue each other's floors."""
    if cell_size == spec.cell_size:
        return spec.width, spec.depth, spec.origin
    scale = spec.cell_size / cell_size
    width, depth = (math.ceil(cells * scale - 1e-9) for cells in (spec.width, spec.depth))
    origin = (math.floor(spec.origin[0] * scale + 1e-9), math.floor(spec.origin[1] * scale + 1e-9))
    return width, depth, origin


def floor_height(spec: LevelSpec, floor: int) -> float:
    """Where a floor's ground is, in metres above the ground floor's: the floors below it, each its
    own wall height, and a slab over each."""
    heights = [floor_spec(spec, below).wall_height for below in range(floor)] if spec.floor_styles else []
    if len(set(heights)) > 1:
        return float(sum(height + SLAB_M for height in heights))
    # One height throughout: as a level of one style always had it, to the last bit.
    return floor * ((heights[0] if heights else spec.wall_height) + SLAB_M)


def grown(cells: BoolArray, by: int) -> BoolArray:
    """Cells within `by` cells (Chebyshev) of a True cell."""
    grown = cells.copy()
    for _ in range(by):
        padded = np.pad(grown, 1)
        grown = sliding_window_view(padded, (3, 3)).any(axis=(-2, -1))
    return grown


def stairwells(
    spec: LevelSpec,
    lower: OpenFloor,
    upper: OpenFloor,
    taken: BoolArray,
    cleared: BoolArray | None,
    preferred: BoolArray | None = None,
) -> BoolArray:
    """The first cell of each stair run from a floor to the one above, in window cells: at most
    one per chunk, where a ring of open floor surrounds the run on both floors, starting on
    `preferred` cells where a chunk has room on them; where the floors had their stairwells
    cleared, at the `cleared` starts (see cleared_starts)."""
    block_w, block_d = STAIR_CELLS + 2, 3
    if cleared is None:
        fits = lower.blocks(block_w, block_d) & upper.blocks(block_w, block_d)
    else:
        fits = np.zeros_like(cleared)
        fits[:-1, :-1] = cleared[1:, 1:]  # a block's south-west corner is its ring's
    fits &= ~sliding_window_view(np.pad(taken, ((0, 2), (0, block_w - 1))), (block_d, block_w)).any(axis=(-2, -1))
    rows, columns = fits.shape
    ox, oy = lower.layout.origin
    ys, xs = np.mgrid[0:rows, 0:columns]
    key = _ranked(hash64(spec.seed, _STAIR_STREAM, xs + ox, ys + oy), preferred)
    key = np.where(fits, key, np.uint64(np.iinfo(np.uint64).max))
    chosen = np.zeros_like(fits)
    size = spec.chunk_size
    for cy in range(0, rows, size):
        for cx in range(0, columns, size):
            window = key[cy : cy + size, cx : cx + size]
            best = np.unravel_index(int(window.argmin()), window.shape)
            if fits[cy + best[0], cx + best[1]]:
                chosen[cy + best[0] + 1, cx + best[1] + 1] = True  # the run starts inside the ring
    return chosen


def _ranked(draw: npt.NDArray[np.uint64], preferred: BoolArray | None) -> npt.NDArray[np.uint64]:
    """Per block corner its draw, those whose run starts on `preferred` cells first (the top bit
    kept for the others): the chunk's least is still one drawn from world coordinates."""
    if preferred is None:
        return draw
    starts = np.zeros_like(preferred)
    starts[:-1, :-1] = preferred[1:, 1:]  # a block's south-west corner is its ring's
    others = np.where(starts, np.uint64(0), np.uint64(1 << 63))
    ranked: npt.NDArray[np.uint64] = (draw >> np.uint64(1)) | others
    return ranked


def cleared(lower: LevelSpec, upper: LevelSpec) -> bool:
    """Whether the stairwells between two floors are cleared out of their walls: the floors are
    linked, one of their styles has no open floor round a stair, and chunks are big enough."""
    clears = any(style_of(floor.style).clear_stairwells for floor in (lower, upper))
    return clears and linked(lower, upper) and lower.chunk_size >= CLEARED_CHUNK


def cleared_starts(level: LevelSpec, pair: int, layout: Layout) -> BoolArray:
    """The first cell of the cleared stair run from floor `pair` of `level` up to the next, one in
    each chunk of a layout of whole chunks (window cells), at a place drawn from the level's seed,
    the pair and the chunk. Its ring keeps off the chunk's outermost cells, so clearing it never
    touches a wall on a chunk's border; the runs of pairs next to each other lie in the chunk's
    south and north halves, so a floor's stairs up and down never meet."""
    size, (ox, oy) = level.chunk_size, layout.origin
    rows, columns = layout.solid.shape
    cy, cx = np.mgrid[0 : rows // size, 0 : columns // size].astype(np.int64)
    draw = hash64(level.seed, _CLEAR_STREAM, np.int64(pair), cx + ox // size, cy + oy // size)
    half = size // 2
    low, count = (2, half - 3) if pair % 2 == 0 else (half + 1, size - 3 - half)
    x = 2 + (draw % np.uint64(size - 6)).astype(np.int64)
    y = low + ((draw >> np.uint64(32)) % np.uint64(count)).astype(np.int64)
    starts = np.zeros((rows, columns), np.bool_)
    starts[cy * size + y, cx * size + x] = True
    return starts


def clear_stairwells(layout: Layout, starts: BoolArray) -> Layout:
    """The layout with no wall or pillar inside the block of each stair run from `starts` and its
    one-cell ring: the walls only ever open, so the floor stays one walkable area."""
    block = grown(stair_cells(starts), 1)
    walls_h, walls_v = layout.walls_h.copy(), layout.walls_v.copy()
    walls_v[:, 1:-1] &= ~(block[:, :-1] & block[:, 1:])
    walls_h[1:-1] &= ~(block[:-1] & block[1:])
    return Layout(walls_h, walls_v, layout.solid & ~block, layout.origin)


def open_floor(story: Story) -> OpenFloor:
    """Open-floor queries on a floor as its features shaped it; the world's own (its pillars
    counted, even where the style builds none) while they left it as it was."""
    if story.ground is story.window.ground:
        return story.window.open_world
    return OpenFloor(story.ground, story.spec.chunk_size)


def stair_cells(starts: BoolArray) -> BoolArray:
    """Every cell a stair run covers, from the runs' first cells."""
    cells = starts.copy()
    for step in range(1, STAIR_CELLS):
        cells[:, step:] |= starts[:, :-step]
    return cells


def pitfalls(
    spec: LevelSpec, here: OpenFloor, below: OpenFloor | None, taken: BoolArray, taken_below: BoolArray
) -> BoolArray:
    """Pitfall cells in window cells: on the world's sparse lattice, with a ring of open floor, a
    pitfall_density share of the possible ones; above a floor, only over its open floor."""
    fits = np.zeros_like(taken)
    fits[1:-1, 1:-1] = here.blocks(3, 3)[:-2, :-2]
    fits &= ~grown(taken, 1)
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

    def stack(self, level: LevelSpec, floor: int, layout: Layout) -> Layout:
        """The floor with the stairwells cleared that join it to the floors below and above, where
        they are cleared (see cleared)."""
        pairs = [pair for pair in (floor - 1, floor) if 0 <= pair < level.floors - 1]
        starts = [
            cleared_starts(level, pair, layout)
            for pair in pairs
            if cleared(floor_spec(level, pair), floor_spec(level, pair + 1))
        ]
        return clear_stairwells(layout, np.logical_or.reduce(starts)) if starts else layout

    def plan(self, spec: LevelSpec, stories: Sequence[Story], so_far: Sequence[Features]) -> list[Features]:
        return link_floors(spec, list(stories), [own.taken for own in so_far])


FLOORS = FloorLinks()


def link_floors(spec: LevelSpec, stories: list[Story], own: list[BoolArray | None]) -> list[Features]:
    """Per floor, the holes and meshes that join it to its neighbours: stairwells up to the next
    floor, pitfalls down to the one below (or into darkness under the ground floor), away from
    the cells each floor's own features took (`own`, region cells). Only floors whose grids are
    one and whose styles both have them are joined (see linked)."""
    windows = [story.window for story in stories]
    floors = [open_floor(story) for story in stories]
    taken = [windows[f].embed(own[f]) for f in range(spec.floors)]
    stairs: list[BoolArray | None] = []
    for floor in range(spec.floors - 1):
        lower, upper = windows[floor], windows[floor + 1]
        if not linked(lower.spec, upper.spec):
            stairs.append(None)
            continue
        sites = cleared_starts(spec, floor, stories[floor].ground) if cleared(lower.spec, upper.spec) else None
        preferred = _agreed(stories[floor].stair_ground, stories[floor + 1].stair_ground)
        found = stairwells(spec, floors[floor], floors[floor + 1], taken[floor] | taken[floor + 1], sites, preferred)
        starts = lower.within(found, (1, STAIR_CELLS, 1, 1))
        stairs.append(starts)
        run = stair_cells(starts)
        taken[floor] |= run
        taken[floor + 1] |= run
    pits: list[BoolArray | None] = []
    for floor in range(spec.floors):
        below = windows[floor - 1] if floor else None
        if below is not None and not linked(below.spec, windows[floor].spec):
            pits.append(None)  # no pitfall opens onto a floor of another grid (or onto none)
            continue
        taken_below = taken[floor - 1] if floor else np.zeros_like(taken[floor])
        found = pitfalls(
            windows[floor].spec, floors[floor], floors[floor - 1] if floor else None, taken[floor], taken_below
        )
        pits.append(found)
        taken[floor] |= found
    return [_links(floor, windows[floor], stairs, pits) for floor in range(spec.floors)]


def _agreed(lower: BoolArray | None, upper: BoolArray | None) -> BoolArray | None:
    """Where a stair between two floors had better start: where both would have it, or where
    the one with a say would."""
    if lower is None or upper is None:
        return upper if lower is None else lower
    both: BoolArray = lower & upper
    return both


def linked(lower: LevelSpec, upper: LevelSpec) -> bool:
    """Whether stairwells and pitfalls join two floors: both styles have them and both floors
    share one grid (a stair climbs whole cells of the floors at both ends; a pitfall is a cell of both)."""
    joined = all("floors" in style_of(floor.style).features for floor in (lower, upper))
    return joined and lower.cell_size == upper.cell_size


def _links(floor: int, here: Window, stairs: list[BoolArray | None], pits: list[BoolArray | None]) -> Features:
    """One floor's share: its pitfalls and the stair openings from below in its floor, the
    openings above its stairs and under the pitfalls of the floor above in its ceiling; its
    stairs stand on its floor."""
    cell, rise = here.spec.cell_size, here.spec.wall_height + SLAB_M
    none = np.zeros((here.spec.depth, here.spec.width), np.bool_)
    pit_here = _cropped(here, pits[floor], none)
    from_below = stairs[floor - 1] if floor else None
    arriving = _cropped(here, None if from_below is None else stair_cells(from_below), none)
    starts = stairs[floor] if floor < len(stairs) else None
    leaving = _cropped(here, starts, none)
    above = _cropped(here, pits[floor + 1] if floor + 1 < len(pits) else None, none)
    drop = PIT_DROP_M if floor == 0 else SLAB_M
    meshes = {}
    openings = ((pit_here, drop), (arriving, SLAB_M))
    shafts = [shaft_mesh(holes, 0.0, -depth, cell, here) for holes, depth in openings if holes.any()]
    if shafts:
        meshes["pitfalls"] = concat_meshes(*shafts)
    if leaving.any():
        meshes["stairs"] = stair_mesh(leaving, rise, cell, here)
    return Features(pit_here | arriving, stair_cells(leaving) | above, meshes, occupied=stair_cells(leaving))


def _cropped(here: Window, cells: BoolArray | None, none: BoolArray) -> BoolArray:
    return none if cells is None else here.crop(cells)
