"""The run corridor: one endless corridor along x with side rooms off it, and the obstacles that narrow it.

Everything comes from world coordinates alone, so neighbouring regions agree. The world repeats
every PERIOD rows: three rows of corridor, open along x, then a row of side rooms opening onto it
from the north and a row of side rooms opening onto the next corridor from the south. Seen from a
corridor the world is that corridor: the rooms off it lead nowhere else. Crates and knocked-over
shelves stand in the corridor, at most one cell of its width in any cross-section, never in front
of a doorway, so the way on always stays open.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray, IntArray
from .features import EYE_HEIGHT, Feature, Features, Spawn, Story
from .floors import grown
from .geometry import quad_mesh
from .layout import Layout
from .rng import hash64, uniform
from .spec import LevelSpec
from .world import Window

PERIOD = 9  # world rows per corridor and its two rows of side rooms
CORRIDOR = 3  # rows of corridor: it is three cells wide
ROOM = 3  # cells per side room along x (two rooms may be one)
DOOR_SHARE = 0.5  # of side rooms with a doorway (the others are locked: a wall to the corridor)
OPEN_SHARE = 0.1  # of side rooms open to the corridor along their whole front (of those with a door)
MERGE_SHARE = 0.3  # of side rooms without a wall to the room west of them
OBSTACLE_SHARE = 0.3  # of the corridor's cross-sections with something in the way
AWAY_FROM_DOORS = 0.4  # about the share of the corridor's columns with no doorway in or just before them
MIDDLE_SHARE = 0.2  # of those obstacles in the corridor's middle row, the rest along its sides
LOWER, UPPER = 0, 1  # the rooms north of a corridor, and those south of the next one
OBSTACLE_MATERIALS = ("crate", "shelf_metal")
CRATE, SHELF = 0, 1
BOX_FACES = 5  # four sides and a lid
CLEAR_AHEAD = 3  # cells east of the spawn kept clear where the region allows
_DOOR_STREAM, _OPEN_STREAM, _MERGE_STREAM = 0x52444F52, 0x524F504E, 0x524D5247  # "RDOR", "ROPN", "RMRG"
_OBSTACLE_STREAM = 0x524F4253  # "ROBS"

F64 = npt.NDArray[np.float64]


class RunCorridorFeature(Feature):
    """The corridor's layout, its obstacles (which a player bumps into) and a spawn looking down it."""

    key = "run_corridor"
    solid = ("run_obstacles",)

    def shape(self, spec: LevelSpec, layout: Layout) -> Layout:
        return corridor_layout(spec.seed, layout.origin, layout.width, layout.depth)

    def blocks(self, spec: LevelSpec) -> BoolArray:
        # Where the region's edge leaves one row of the corridor, the way round an obstacle is
        # outside it: the joins then open a way through the side rooms.
        return region_obstacles(spec)

    def stair_ground(self, spec: LevelSpec, layout: Layout) -> BoolArray:
        # Up the corridor's middle row, its ring the corridor's other two rows: a stair in a side
        # room is one the run down the corridor never passes.
        rows = band_row(np.arange(layout.depth, dtype=np.int64) + layout.origin[1])
        middle: BoolArray = np.broadcast_to((rows == 1)[:, None], (layout.depth, layout.width)).copy()
        return middle

    def on_story(self, story: Story, so_far: Features) -> Features:
        return obstacle_features(story.spec, so_far.taken, story.window)

    def spawn(self, spec: LevelSpec) -> Spawn | None:
        return corridor_spawn(spec)

    def faces(self, spec: LevelSpec) -> float:
        """A box (a crate now and then two) per obstacle, in OBSTACLE_SHARE of the corridor's
        cross-sections away from doorways (about AWAY_FROM_DOORS of them)."""
        sections = spec.width * spec.depth / PERIOD
        return sections * OBSTACLE_SHARE * AWAY_FROM_DOORS * 1.15 * BOX_FACES * spec.floors


RUN_CORRIDOR = RunCorridorFeature()


def band_row(y: IntArray) -> IntArray:
    """Per world row, its row within the repeating band: 0 to 2 the corridor (1 its middle, on
    world rows divisible by PERIOD), 3 to 5 the rooms north of it, 6 to 8 those south of the next."""
    rows: IntArray = (y + 1) % PERIOD
    return rows


def corridor_layout(seed: int, origin: tuple[int, int], width: int, depth: int) -> Layout:
    """The walls of the region of `width` x `depth` cells at world cell `origin`: no pillars."""
    ox, oy = origin
    x = np.arange(width, dtype=np.int64) + ox
    y_edges = np.arange(depth + 1, dtype=np.int64) + oy  # walls_h row j: the south edge of world row oy + j
    walls_h = np.zeros((depth + 1, width), np.bool_)
    row = band_row(y_edges)
    band = (y_edges + 1) // PERIOD
    walls_h[row == 6] = True  # between the two rows of rooms
    for edge_row, facing, shift in ((3, LOWER, 0), (0, UPPER, -1)):  # a corridor's north and south sides
        at = np.nonzero(row == edge_row)[0]
        walls_h[at] = ~doors(seed, x[None, :], (band[at] + shift)[:, None], facing)
    y = np.arange(depth, dtype=np.int64) + oy
    xv = np.arange(width + 1, dtype=np.int64) + ox
    rows = band_row(y)[:, None]
    side = np.where(rows < 6, LOWER, UPPER)
    room_band = ((y + 1) // PERIOD)[:, None]
    first = (xv[None, :] - 2) % ROOM == 0  # the west edge of a room
    merged = uniform(seed, _MERGE_STREAM, (xv[None, :] - 2) // ROOM, room_band, side) < MERGE_SHARE
    walls_v = (rows >= CORRIDOR) & first & ~merged
    return Layout(walls_h, walls_v, np.zeros((depth, width), np.bool_), origin)


def doors(seed: int, x: IntArray, band: IntArray, side: int) -> BoolArray:
    """Whether world column x opens from the corridor of `band` into its room on `side`: one door
    in DOOR_SHARE of the rooms, the whole front in OPEN_SHARE of them."""
    room = (x - 2) // ROOM
    offset = hash64(seed, _DOOR_STREAM, room, band, side) % np.uint64(ROOM)
    draw = uniform(seed, _OPEN_STREAM, room, band, side)
    door = (((x - 2) % ROOM).astype(np.uint64) == offset) & (draw < DOOR_SHARE)
    found: BoolArray = door | (draw < OPEN_SHARE)
    return found


def obstacle_cells(seed: int, x: IntArray, y: IntArray) -> BoolArray:
    """Whether world cell (x, y) holds an obstacle: in up to OBSTACLE_SHARE of the corridor's
    columns one of its three cells, mostly a side one; the middle one only with its neighbouring
    columns clear, so the free cells always join up along the corridor."""
    band = (y + 1) // PERIOD
    here = _obstacle_row(seed, x, band)
    lone = (_obstacle_row(seed, x - 1, band) < 0) & (_obstacle_row(seed, x + 1, band) < 0)
    found: BoolArray = (band_row(y) == here) & ((here != 1) | lone)
    return found


def _obstacle_row(seed: int, x: IntArray, band: IntArray) -> IntArray:
    """Per world column x of the corridor of `band`, the band row (0 to 2) of its obstacle, or -1.
    Never in a column with a doorway, nor just after one: a walk stepping round an obstacle is
    not turned into a side room."""
    draw = uniform(seed, _OBSTACLE_STREAM, x, band)
    middle, south = OBSTACLE_SHARE * MIDDLE_SHARE, OBSTACLE_SHARE * (1 + MIDDLE_SHARE) / 2
    row = np.where(draw < middle, 1, np.where(draw < south, 0, 2))
    near_door = np.zeros(np.broadcast(x, band).shape, np.bool_)
    for column in (x, x - 1):
        near_door |= doors(seed, column, band, LOWER) | doors(seed, column, band - 1, UPPER)
    found: IntArray = np.where((draw < OBSTACLE_SHARE) & ~near_door, row, -1).astype(np.int64)
    return found


def region_obstacles(spec: LevelSpec) -> BoolArray:
    """The world's obstacle cells in the region of `spec`, before any are cleared round holes."""
    ox, oy = spec.origin
    ys, xs = np.mgrid[0 : spec.depth, 0 : spec.width]
    return obstacle_cells(spec.seed, xs.astype(np.int64) + ox, ys.astype(np.int64) + oy)


def obstacle_features(spec: LevelSpec, taken: BoolArray | None, window: Window) -> Features:
    """The obstacles of the region as one mesh, and the cells they stand in (a cell away from `taken`)."""
    cells = region_obstacles(spec)
    if taken is not None:
        # Nor beside a hole or a stair: the corridor round it (its other two rows) stays free.
        cells &= ~grown(taken, 1)
    if not cells.any():
        return Features()
    js, iis = np.nonzero(cells)
    lo, hi, material = _obstacle_boxes(spec, iis, js)
    corners, uvs = boxes(lo, hi)
    materials = np.repeat(material, BOX_FACES).astype(np.int32)
    middle = corners.mean(axis=1)
    mesh = quad_mesh(corners, uvs, materials, OBSTACLE_MATERIALS, window.piece_at(middle[:, 0], middle[:, 1]))
    return Features(meshes={"run_obstacles": mesh}, occupied=cells)


def _obstacle_boxes(spec: LevelSpec, i: IntArray, j: IntArray) -> tuple[F64, F64, IntArray]:
    """Per obstacle cell a crate (half of them with a smaller one on top) or a shelf knocked over
    across the corridor; (n, 3) low and high corners and the material of each box."""
    c = spec.cell_size
    x, y = i + spec.origin[0], j + spec.origin[1]
    kind = uniform(spec.seed, _OBSTACLE_STREAM + 1, x, y)
    jitter = uniform(spec.seed, _OBSTACLE_STREAM + 2, x, y) - 0.5
    shelf = kind < 0.45
    room = c - spec.wall_thickness - 0.2  # what the cell leaves between its walls' faces
    size = np.where(shelf, np.minimum(0.5, room), np.minimum(0.8 + 0.4 * kind, room))
    length = np.where(shelf, np.minimum(2.0, room), size)  # a shelf lies along y, across the way
    height = np.where(shelf, 0.9, size)
    cx = (i + 0.5) * c + jitter * (c - size - spec.wall_thickness) / 2
    cy = (j + 0.5) * c
    lo = np.column_stack([cx - size / 2, cy - length / 2, np.zeros_like(cx)])
    hi = np.column_stack([cx + size / 2, cy + length / 2, height])
    material = np.where(shelf, SHELF, CRATE).astype(np.int64)
    stacked = ~shelf & (kind > 0.75)  # a smaller crate on top of some
    top = 0.6 * size[stacked]
    tx, ty = cx[stacked] + 0.05, cy[stacked] - 0.05
    lo_top = np.column_stack([tx - top / 2, ty - top / 2, height[stacked]])
    hi_top = np.column_stack([tx + top / 2, ty + top / 2, height[stacked] + top])
    return (
        np.concatenate([lo, lo_top]),
        np.concatenate([hi, hi_top]),
        np.concatenate([material, np.full(len(top), CRATE, np.int64)]),
    )


def boxes(lo: F64, hi: F64) -> tuple[F64, F64]:
    """Per box from its low to its high corner, four sides and a lid facing outwards (no bottom:
    it stands on something), BOX_FACES quads a box; corners (5n, 4, 3) and UVs in metres."""
    x0, y0, z0 = lo.T
    x1, y1, z1 = hi.T
    faces, uvs = [], []
    for (ax, ay), (bx, by) in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
        # Seen from outside the bottom edge runs left to right: the normal points away from the box.
        faces.append(np.stack([_point(ax, ay, z0), _point(bx, by, z0), _point(bx, by, z1), _point(ax, ay, z1)], 1))
        u0, u1 = ax + ay, ax + ay + np.hypot(bx - ax, by - ay)
        uvs.append(np.stack([_uv(u0, z0), _uv(u1, z0), _uv(u1, z1), _uv(u0, z1)], 1))
    faces.append(np.stack([_point(x0, y0, z1), _point(x1, y0, z1), _point(x1, y1, z1), _point(x0, y1, z1)], 1))
    uvs.append(faces[-1][:, :, :2])
    # Box by box: its five faces together.
    return np.stack(faces, 1).reshape(-1, 4, 3), np.stack(uvs, 1).reshape(-1, 4, 2)


def _point(x: F64, y: F64, z: F64) -> F64:
    return np.stack([x, y, z], -1)


def _uv(u: F64, v: F64) -> F64:
    return np.stack([u, v], -1)


def corridor_spawn(spec: LevelSpec) -> Spawn | None:
    """On the middle row of the corridor nearest the region's middle, at its first cell from the
    west with no obstacle in it or the CLEAR_AHEAD cells after it (or the first free one), looking
    east down the corridor; None when no corridor crosses the region."""
    ox, oy = spec.origin
    y = np.arange(spec.depth, dtype=np.int64) + oy
    middles = np.nonzero(band_row(y) == 1)[0]
    if not len(middles):
        return None
    j = int(middles[np.argmin(np.abs(middles - (spec.depth - 1) / 2))])
    x = np.arange(spec.width + CLEAR_AHEAD, dtype=np.int64) + ox
    blocked = obstacle_cells(spec.seed, x, np.full(len(x), oy + j))
    # Where the next cells east are clear too, so the view starts down the corridor, not at a crate.
    clear = ~np.lib.stride_tricks.sliding_window_view(blocked, CLEAR_AHEAD + 1).any(axis=1)
    free = np.nonzero(clear)[0] if clear.any() else np.nonzero(~blocked[: spec.width])[0]
    if not len(free):
        return None
    i = int(free[0])
    c = spec.cell_size
    return Spawn(((i + 0.5) * c, (j + 0.5) * c, EYE_HEIGHT), 0.0, (spec.width - i) * c)
