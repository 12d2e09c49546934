"""The descent shaft: one square opening straight through every floor, for the descending shot.

The shaft is a square in metres, SHAFT_SIDE_M at least: whole cells of the top floor's grid. On
each floor the cells of its own grid that cover the square are open: holes in the floor of every
floor but the ground, and in the ceiling of every floor but the top. It is cut only where, on
every floor, those cells and a ring of one cell round them are open floor (no pillar, no wall
between two of them) that no other feature has taken or built over (crates, stairs, pitfalls,
pools, pipes), so a camera going down its middle never grazes a wall or a slab's edge. Where
two floors' grids differ, the slab between them is walled round the part of the openings both
share and closed over the rest, so every slab stays a closed solid round the shaft.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .features import Feature, Features, Story
from .floors import SLAB_M
from .geometry import Faces, MeshArrays, concat_meshes, level_faces, quad_mesh, vertical_faces
from .rng import hash64
from .spec import LevelSpec
from .world import OpenFloor, _box, _table

SHAFT_SIDE_M = 2.0  # the least side of the opening
NEAR_M = 4.0  # how far from the top floor's spawn the shaft is wanted: a short walk to it
SHAFT_MATERIALS = ("wallpaper", "carpet", "ceiling_tile")  # restyled like any floor's meshes
_WALL, _FLOOR, _CEILING = 0, 1, 2
_SHAFT_STREAM = 0x53484654  # "SHFT"
FACES_PER_FLOOR = 12.0  # four walls and the fills round them, per slab

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in metres, in the level's frame."""

    x0: float
    y0: float
    x1: float
    y1: float

    def meet(self, other: Rect) -> Rect:
        return Rect(max(self.x0, other.x0), max(self.y0, other.y0), min(self.x1, other.x1), min(self.y1, other.y1))

    def minus(self, inner: Rect) -> list[Rect]:
        """Up to four rectangles covering this one outside `inner` (which lies within it)."""
        parts = [
            Rect(self.x0, self.y0, inner.x0, self.y1),
            Rect(inner.x1, self.y0, self.x1, self.y1),
            Rect(inner.x0, self.y0, inner.x1, inner.y0),
            Rect(inner.x0, inner.y1, inner.x1, self.y1),
        ]
        return [part for part in parts if part.x1 - part.x0 > 1e-6 and part.y1 - part.y0 > 1e-6]


class ShaftFeature(Feature):
    """One shaft through every floor, near the top floor's spawn (the `shaft` setting)."""

    key = "shaft"
    solid = ("shaft",)

    def wanted(self, spec: LevelSpec) -> bool:
        return spec.shaft and spec.floors > 1

    def plan(self, spec: LevelSpec, stories: Sequence[Story], so_far: Sequence[Features]) -> list[Features]:
        square = find_shaft(spec, stories, so_far)
        if square is None:
            return [Features() for _ in stories]
        return shaft_features(square, stories)

    def faces(self, spec: LevelSpec) -> float:
        return FACES_PER_FLOOR * spec.floors


SHAFT = ShaftFeature()


def cells_under(square: Rect, cell_size: float) -> tuple[int, int, int, int]:
    """(i0, j0, i1, j1): the cells [i0, i1) x [j0, j1) of a grid of `cell_size` covering `square`."""
    low = (math.floor(square.x0 / cell_size + 1e-9), math.floor(square.y0 / cell_size + 1e-9))
    high = (math.ceil(square.x1 / cell_size - 1e-9), math.ceil(square.y1 / cell_size - 1e-9))
    return low[0], low[1], high[0], high[1]


def block_rect(block: tuple[int, int, int, int], cell_size: float) -> Rect:
    i0, j0, i1, j1 = block
    return Rect(i0 * cell_size, j0 * cell_size, i1 * cell_size, j1 * cell_size)


def block_cells(block: tuple[int, int, int, int], width: int, depth: int) -> BoolArray:
    i0, j0, i1, j1 = block
    cells = np.zeros((depth, width), np.bool_)
    cells[j0:j1, i0:i1] = True
    return cells


def find_shaft(spec: LevelSpec, stories: Sequence[Story], so_far: Sequence[Features]) -> Rect | None:
    """The shaft's square: of the places open on every floor (see the module's docstring), the one
    whose distance from the top floor's spawn is nearest NEAR_M, ties broken by the seed."""
    top = stories[-1]
    cell = top.spec.cell_size
    side = math.ceil(SHAFT_SIDE_M / cell - 1e-9)
    if min(top.spec.width, top.spec.depth) - side <= 1:  # no room for the square and its ring
        return None
    ys, xs = np.mgrid[1 : top.spec.depth - side, 1 : top.spec.width - side]
    x0, y0 = xs.ravel() * cell, ys.ravel() * cell
    x1, y1 = x0 + side * cell, y0 + side * cell
    fits = np.ones(x0.shape, np.bool_)
    for story, found in zip(stories, so_far, strict=True):
        fits &= _open_round(story, found, x0, y0, x1, y1)
    if not fits.any():
        return None
    sx, sy = _top_spawn(top, so_far[-1])
    distance = np.hypot((x0 + x1) / 2 - sx, (y0 + y1) / 2 - sy)
    tie = hash64(spec.seed, _SHAFT_STREAM, xs.ravel().astype(np.int64), ys.ravel().astype(np.int64))
    order = np.lexsort((tie, np.round(np.abs(distance - NEAR_M), 6)))
    best = int(order[np.argmax(fits[order])])
    return Rect(float(x0[best]), float(y0[best]), float(x1[best]), float(y1[best]))


def _open_round(story: Story, found: Features, x0: F64, y0: F64, x1: F64, y1: F64) -> BoolArray:
    """Per square: whether one floor's cells under it and a ring of one cell round them lie in
    the region, open and untouched."""
    spec, cell = story.spec, story.spec.cell_size
    i0 = np.floor(x0 / cell + 1e-9).astype(np.int64) - 1
    j0 = np.floor(y0 / cell + 1e-9).astype(np.int64) - 1
    i1 = np.ceil(x1 / cell - 1e-9).astype(np.int64) + 1
    j1 = np.ceil(y1 / cell - 1e-9).astype(np.int64) + 1
    inside = (i0 >= 0) & (j0 >= 0) & (i1 <= spec.width) & (j1 <= spec.depth)
    clear = OpenFloor(story.built, spec.chunk_size).clear(i0, j0, i1, j1)
    untouched = _box(_table(_taken(story, found)), i0, j0, i1, j1) == 0
    fits: BoolArray = inside & clear & untouched
    return fits


def _taken(story: Story, found: Features) -> BoolArray:
    """Cells other features hold on one floor: holes in floor or ceiling, what stands there, and
    whatever their meshes build in the room (pipes under the ceiling, arches, court walls)."""
    spec = story.spec
    taken = np.zeros((spec.depth, spec.width), np.bool_)
    for cells in (found.floor_holes, found.ceiling_holes, found.occupied):
        if cells is not None:
            taken |= cells
    for mesh in found.meshes.values():
        taken |= _built_over(mesh, spec.cell_size, spec.wall_height, (spec.depth, spec.width))
    return taken


def _built_over(mesh: MeshArrays, cell: float, height: float, shape: tuple[int, int]) -> BoolArray:
    """Cells under the bounding box of any face of `mesh` that reaches into the room (above the
    floor, below the ceiling)."""
    if not mesh.face_count:
        return np.zeros(shape, np.bool_)
    corners = mesh.vertices[mesh.faces].astype(np.float64)
    low, high = corners.min(axis=1), corners.max(axis=1)
    in_room = (high[:, 2] > 1e-3) & (low[:, 2] < height - 1e-3)
    rows, columns = shape
    i0 = np.floor(low[in_room, 0] / cell + 1e-6).astype(np.int64)
    i1 = np.ceil(high[in_room, 0] / cell - 1e-6).astype(np.int64)
    j0 = np.floor(low[in_room, 1] / cell + 1e-6).astype(np.int64)
    j1 = np.ceil(high[in_room, 1] / cell - 1e-6).astype(np.int64)
    # A face lying on a cell edge covers the cells on both sides of it.
    flat_x, flat_y = i0 >= i1, j0 >= j1
    i0, i1 = np.where(flat_x, i1 - 1, i0), np.where(flat_x, i0 + 1, i1)
    j0, j1 = np.where(flat_y, j1 - 1, j0), np.where(flat_y, j0 + 1, j1)
    i0, i1 = np.clip(i0, 0, columns), np.clip(i1, 0, columns)
    j0, j1 = np.clip(j0, 0, rows), np.clip(j1, 0, rows)
    # Every box at once: +1 and -1 at its corners, summed up along both axes.
    marks = np.zeros((rows + 1, columns + 1), np.int64)
    for (ys, xs), sign in (((j0, i0), 1), ((j0, i1), -1), ((j1, i0), -1), ((j1, i1), 1)):
        np.add.at(marks, (ys, xs), sign)
    cells: BoolArray = marks.cumsum(axis=0).cumsum(axis=1)[:rows, :columns] > 0
    return cells


def _top_spawn(top: Story, found: Features) -> tuple[float, float]:
    """The top floor's spawn: its longest view, away from what the features took."""
    from .plan import find_spawn  # the plan builds on the registry, which holds this feature

    spawn = find_spawn(top.built, top.spec.cell_size, _taken(top, found))
    return spawn.position[0], spawn.position[1]


def shaft_features(square: Rect, stories: Sequence[Story]) -> list[Features]:
    """Per floor: the cells under the square as holes (the ground floor keeps its floor, the top
    floor its ceiling), the slab below it walled round the shaft, and the cells marked `shaft`."""
    top = len(stories) - 1
    blocks = [cells_under(square, story.spec.cell_size) for story in stories]
    found = []
    for floor, (story, block) in enumerate(zip(stories, blocks, strict=True)):
        cells = block_cells(block, story.spec.width, story.spec.depth)
        meshes = {}
        if floor:
            below = block_rect(blocks[floor - 1], stories[floor - 1].spec.cell_size)
            meshes["shaft"] = slab_mesh(below, block_rect(block, story.spec.cell_size), story)
        found.append(
            Features(
                floor_holes=cells if floor else None,
                ceiling_holes=cells if floor < top else None,
                meshes=meshes,
                marks={"shaft": cells},
            )
        )
    return found


def slab_mesh(below: Rect, here: Rect, story: Story) -> MeshArrays:
    """The slab under a floor round the shaft, in the floor's frame (its ground at z = 0): walls
    round the part of the opening below (`below`, the ceiling's) and of this floor's (`here`) both
    share, the slab's top closed over the rest of `here` and its underside over the rest of `below`."""
    shared = here.meet(below)
    walls = [
        ((shared.x0, shared.y0), (shared.x0, shared.y1)),  # west, facing +x (into the shaft)
        ((shared.x1, shared.y1), (shared.x1, shared.y0)),  # east, facing -x
        ((shared.x1, shared.y0), (shared.x0, shared.y0)),  # south, facing +y
        ((shared.x0, shared.y1), (shared.x1, shared.y1)),  # north, facing -y
    ]
    start, end = np.array([w[0] for w in walls]), np.array([w[1] for w in walls])
    parts = [vertical_faces(start[:, 0], start[:, 1], end[:, 0], end[:, 1], -SLAB_M, 0.0, _WALL)]
    for rects, z, up, material in (
        (here.minus(shared), 0.0, True, _FLOOR),
        (below.minus(shared), -SLAB_M, False, _CEILING),
    ):
        if rects:
            bounds = np.array([(r.x0, r.y0, r.x1, r.y1) for r in rects], np.float64)
            parts.append(level_faces(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3], z, up, material))
    return concat_meshes(*(_mesh(faces, story) for faces in parts))


def _mesh(faces: Faces, story: Story) -> MeshArrays:
    middle = faces.corners.astype(np.float64).mean(axis=1)
    pieces = story.window.piece_of_face(middle[:, 0], middle[:, 1])
    return quad_mesh(faces.corners, faces.uvs, faces.material, SHAFT_MATERIALS, pieces)
