"""Walking camera routes: a hashed walk over the cells, smoothed, paced and looked along."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray, IntArray
from .features import EYE_HEIGHT
from .layout import Layout
from .plan import LevelPlan
from .rng import uniform

FloatArray = npt.NDArray[np.float64]
CLEARANCE = 0.25  # metres kept from every wall face, post, pillar and hole
LOOK_AHEAD = 1.6  # metres of path ahead whose mean heading the view follows
PACE = 1.4  # m/s: the walking pace the look-ahead and the glances are measured for
GLANCE_M = 3.0  # metres walked while glancing aside into an opening
TURN_RATE = 1.2  # mean radians per second when looking round at a stop
KEEP_GAIN = 10.0  # at heading 1, how much more the way a walk set out weighs (and the way back less)
KEEP_RUN = 4  # cells open ahead for the way it set out to weigh more
_STEP = ((1, 0), (0, 1), (-1, 0), (0, -1))  # east, north, west, south: direction d turns left to d + 1
_CHOICE, _GLANCE, _STOP, _SWEEP, _SIDE = 0x43484F49, 0x474C414E, 0x53544F50, 0x53574545, 0x53494445


@dataclass(frozen=True)
class Route:
    """A walk through a level, frame by frame, in the level's frame (metres, radians, 0 = +x)."""

    positions: FloatArray  # (n, 3) eye positions
    yaw: FloatArray  # (n,) heading of the view, unwrapped (it never jumps by a turn)
    pitch: FloatArray  # (n,) up is positive
    fps: int
    speed: float  # metres per second while walking
    cells: npt.NDArray[np.int64]  # (k, 2) cells (i, j) in the order walked, a U-turn's cell once

    @property
    def frame_count(self) -> int:
        return len(self.yaw)


class Ground:
    """What a route walks on: cells one may stand in and the walls on their edges, looked up by
    cell (i, j) of the route's frame. Subclasses say which cells are free and where walls stand."""

    cell_size: float
    wall_thickness: float

    def free(self, i: int, j: int) -> bool:
        """Whether cell (i, j) has floor to walk on and nothing standing in it."""
        raise NotImplementedError

    def walls_at(self, horizontal: bool, rows: IntArray, cols: IntArray) -> BoolArray:
        """Per (row, col), whether a wall stands there: walls_h[j, i] on the south edge of cell
        (i, j), walls_v[j, i] on its west edge (core/layout.py); False where nothing is known."""
        raise NotImplementedError

    def open_step(self, cell: tuple[int, int], d: int) -> bool:
        """Whether one can walk from cell (i, j) to its neighbour in direction d."""
        i, j = cell
        di, dj = _STEP[d]
        ni, nj = i + di, j + dj
        if not self.free(ni, nj):
            return False
        if dj:
            return not self._wall(True, max(j, nj), i)
        return not self._wall(False, j, max(i, ni))

    def _wall(self, horizontal: bool, row: int, col: int) -> bool:
        return bool(self.walls_at(horizontal, np.array([row]), np.array([col]))[0])

    def exits(self, cell: tuple[int, int]) -> list[int]:
        return [d for d in range(4) if self.open_step(cell, d)]

    def run(self, cell: tuple[int, int], d: int, limit: int = 8) -> int:
        """How many cells one can walk straight on from `cell` in direction d (at most `limit`)."""
        count = 0
        while count < limit and self.open_step(cell, d):
            cell = (cell[0] + _STEP[d][0], cell[1] + _STEP[d][1])
            count += 1
        return count

    def nearest_free(self, cell: tuple[int, int], reach: int = 64) -> tuple[int, int]:
        """`cell` when it is free, else the nearest free cell within `reach` cells (ties: the
        lowest row, then column)."""
        i, j = cell
        if self.free(i, j):
            return cell
        for ring in range(1, reach + 1):
            found = [
                (dx * dx + dy * dy, j + dy, i + dx)
                for dy in range(-ring, ring + 1)
                for dx in range(-ring, ring + 1)
                if max(abs(dx), abs(dy)) == ring and self.free(i + dx, j + dy)
            ]
            if found:
                _, row, col = min(found)
                return col, row
        raise ValueError("the level has no walkable floor")


class RegionGround(Ground):
    """A level's ground floor: its layout, its cells without floor; outside it is all wall."""

    def __init__(self, layout: Layout, holes: BoolArray, cell_size: float, wall_thickness: float) -> None:
        self.layout, self.holes = layout, holes
        self.cell_size, self.wall_thickness = cell_size, wall_thickness

    def free(self, i: int, j: int) -> bool:
        lay = self.layout
        inside = 0 <= i < lay.width and 0 <= j < lay.depth
        return inside and not (lay.solid[j, i] or self.holes[j, i])  # the edge turns a walker like a wall

    def _wall(self, horizontal: bool, row: int, col: int) -> bool:
        walls = self.layout.walls_h if horizontal else self.layout.walls_v
        return 0 <= row < walls.shape[0] and 0 <= col < walls.shape[1] and bool(walls[row, col])

    def walls_at(self, horizontal: bool, rows: IntArray, cols: IntArray) -> BoolArray:
        walls = self.layout.walls_h if horizontal else self.layout.walls_v
        inside = (rows >= 0) & (rows < walls.shape[0]) & (cols >= 0) & (cols < walls.shape[1])
        found = np.zeros(len(rows), np.bool_)
        found[inside] = walls[rows[inside], cols[inside]]
        return found

    def nearest_free(self, cell: tuple[int, int], reach: int = 64) -> tuple[int, int]:
        lay = self.layout  # a start outside the region is taken to its nearest edge first
        inside = (min(max(cell[0], 0), lay.width - 1), min(max(cell[1], 0), lay.depth - 1))
        return super().nearest_free(inside, max(lay.width, lay.depth))


@dataclass(frozen=True)
class _Piece:
    """A piece of path: from `start` heading `heading`, bending at `curve` radians per metre."""

    start: tuple[float, float]
    heading: float
    curve: float
    length: float


def plan_route(plan: LevelPlan, length_m: float, speed: float = 1.4, fps: int = 24, seed: int | None = None) -> Route:
    """A walk of `length_m` metres from the spawn over the ground floor (stops not counted)."""
    floor = plan.floors[0]
    # Crates and the foot of a stair are in the way too.
    blocked = floor.floor_holes if floor.occupied is None else floor.floor_holes | floor.occupied
    ground = RegionGround(floor.layout, blocked, floor.spec.cell_size, floor.spec.wall_thickness)
    start = plan.spawn.position[:2]
    return walk_route(ground, start, plan.spawn.yaw, length_m, speed, fps, plan.spec.seed if seed is None else seed)


def walk_route(
    ground: Ground,
    start: tuple[float, float],
    yaw: float,
    length_m: float,
    speed: float,
    fps: int,
    seed: int,
    keep_heading: float = 0.0,
) -> Route:
    """A walk of `length_m` metres over `ground` from `start`, first looking along `yaw`; with
    `keep_heading` above 0 it keeps more to the way it set out (see _choose)."""
    _check_room(ground)
    c = ground.cell_size
    cell = ground.nearest_free((math.floor(start[0] / c), math.floor(start[1] / c)))
    cells, heads = _cell_walk(ground, cell, yaw, length_m, seed, keep_heading)
    if cell != (math.floor(start[0] / c), math.floor(start[1] / c)):
        start = ((cell[0] + 0.5) * c, (cell[1] + 0.5) * c)
    pieces, stops, openings = _pieces(ground, start, cells, heads, seed)
    step = speed / fps
    s = np.arange(0.0, min(length_m, _length(pieces)) + 1e-9, step)
    if not pieces:  # nowhere to go: stand and look round
        pieces, s = [_Piece(start, yaw, 0.0, 0.0)], np.zeros(1)
        stops = [(0.0, "look")]
    xy, heading = _evaluate(pieces, s)
    if _wall_distance(ground, xy).min(initial=np.inf) < CLEARANCE - 1e-9:
        raise RuntimeError("the path came closer to a wall than the clearance")  # the arcs promise it never does
    stop_at = _stop_frames(stops, s)
    # A faster pace looks as much further ahead and glances aside over as much longer a stretch,
    # so the view turns no faster than a walker's.
    stride = max(1.0, speed / PACE)
    aside = [(at / stride, side) for at, side in openings]
    glances = _glances(aside, [(at / stride, why) for at, why in stops], s / stride, seed)
    look = _look_ahead(heading, step / stride, stop_at) + glances
    frames, view = _with_stops(look, yaw, stop_at, fps, seed)
    positions = np.column_stack([xy[frames], np.full(len(frames), EYE_HEIGHT)])
    t = np.arange(len(frames)) / fps
    pitch = 0.03 * np.sin(2 * math.pi * t / 7.0 + 6.283 * float(uniform(seed, _SWEEP, -1))) - 0.02
    return Route(positions, view, pitch, fps, speed, np.asarray(cells, np.int64).reshape(-1, 2))


def _check_room(ground: Ground) -> None:
    # The path runs down cell centres and turns on arcs round the cell corner: its closest approach
    # to a wall face or post is half a cell less the post's half diagonal.
    room = ground.cell_size / 2 - ground.wall_thickness / math.sqrt(2)
    if room < CLEARANCE:
        raise ValueError(f"cells of {ground.cell_size} m leave no {CLEARANCE} m clearance from the walls")


def _wall_distance(ground: Ground, xy: FloatArray) -> FloatArray:
    """Per point, the distance to the nearest face or post of the walls round its cell."""
    c, half = ground.cell_size, ground.wall_thickness / 2
    i, j = np.floor(xy[:, 0] / c).astype(np.int64), np.floor(xy[:, 1] / c).astype(np.int64)
    nearest = np.full(len(xy), np.inf)
    for horizontal, along, row, col in ((True, 0, j, i), (False, 1, i, j)):
        for dr in (0, 1):
            for dc in (-1, 0, 1):
                r, k = row + dr, col + dc
                # walls_v is looked up transposed: its "row" here runs along x
                wall = ground.walls_at(True, r, k) if horizontal else ground.walls_at(False, k, r)
                # a wall box: half a thickness either side of its line, and past its ends (the posts)
                gap_along = np.maximum(np.abs(xy[:, along] - (k + 0.5) * c) - c / 2 - half, 0.0)
                gap_across = np.maximum(np.abs(xy[:, 1 - along] - r * c) - half, 0.0)
                nearest = np.where(wall, np.minimum(nearest, np.hypot(gap_along, gap_across)), nearest)
    return nearest


def _cell_walk(
    ground: Ground, cell: tuple[int, int], yaw: float, length_m: float, seed: int, keep_heading: float = 0.0
) -> tuple[list[tuple[int, int]], list[int]]:
    """Cells walked and the direction left each one (the last has none), until the path is long enough."""
    cells, heads = [cell], []
    visits: dict[tuple[int, int], int] = {cell: 1}
    d = first = round(yaw / (math.pi / 2)) % 4
    walked, k = 0.0, 0
    while walked < length_m + 2 * ground.cell_size:
        options = ground.exits(cell)
        if not options:
            break  # a single closed cell: stand there
        d = _choose(ground, cell, d, options, visits, seed, k, (first, keep_heading))
        heads.append(d)
        cell = (cell[0] + _STEP[d][0], cell[1] + _STEP[d][1])
        visits[cell] = visits.get(cell, 0) + 1
        cells.append(cell)
        walked, k = walked + ground.cell_size, k + 1
    return cells, heads


def _choose(
    ground: Ground,
    cell: tuple[int, int],
    d: int,
    options: list[int],
    visits: dict[tuple[int, int], int],
    seed: int,
    k: int,
    keep: tuple[int, float] = (0, 0.0),
) -> int:
    """The next direction: mostly straight on, towards long views and new cells, seldom back.
    `keep`: the direction the walk set out in and how strongly (0 to 1) it keeps to it: the way
    back weighs up to KEEP_GAIN times less, and that way, where it is open for KEEP_RUN cells, as
    much more (a run down a corridor that stepped aside round a crate goes on, not back)."""
    first, heading = keep
    gain = 1.0 + (KEEP_GAIN - 1.0) * heading
    weights = []
    for option in options:
        turn = (option - d) % 4
        base = {0: 8.0, 1: 1.0, 3: 1.0, 2: 0.02}[turn]
        if turn == 2 and len(options) == 1:
            base = 1.0  # a dead end: back is the only way
        seen = visits.get((cell[0] + _STEP[option][0], cell[1] + _STEP[option][1]), 0)
        weights.append(base * math.sqrt(1 + ground.run(cell, option)) / (1 + seen) ** 2)
        if heading > 0 and option == (first + 2) % 4:
            weights[-1] /= gain
        elif heading > 0 and option == first and ground.run(cell, option) >= KEEP_RUN:
            weights[-1] *= gain  # on where the way is open: not round and round a room
    pick = float(uniform(seed, _CHOICE, k)) * sum(weights)
    for option, weight in zip(options, weights, strict=True):
        pick -= weight
        if pick < 0:
            return option
    return options[-1]


def _pieces(
    ground: Ground, start: tuple[float, float], cells: list[tuple[int, int]], heads: list[int], seed: int
) -> tuple[list[_Piece], list[tuple[float, str]], list[tuple[float, float]]]:
    """The smooth path through the cells, where it stops (path metres, why) and the side openings
    it passes (path metres, +1 left or -1 right): half a cell into each cell, then half a cell out
    of it, on a quarter circle round the inner corner where it turns."""
    c, half = ground.cell_size, ground.cell_size / 2
    pieces: list[_Piece] = []
    stops: list[tuple[float, str]] = []
    openings: list[tuple[float, float]] = []
    centre = ((cells[0][0] + 0.5) * c, (cells[0][1] + 0.5) * c)
    heading = 0.0
    if math.dist(start, centre) > 1e-9:
        pieces.append(_line(start, centre))
        heading = pieces[0].heading
    if heads:
        turn = _wrap(heads[0] * math.pi / 2 - heading)
        if pieces and abs(turn) > math.pi / 2 + 0.1:
            stops.append((_length(pieces), "back"))  # the way on is behind: stop and turn round
        heading += turn
        pieces.append(_Piece(centre, heading, 0.0, half))
    for k in range(1, len(heads)):
        i, j = cells[k]
        came, turn = heads[k - 1], (heads[k] - heads[k - 1]) % 4
        entry = ((i + 0.5) * c - _STEP[came][0] * half, (j + 0.5) * c - _STEP[came][1] * half)
        if turn == 2:
            pieces.append(_Piece(entry, heading, 0.0, half))
            stops.append((_length(pieces), "back"))
            heading += math.pi if uniform(seed, _SIDE, k) < 0.5 else -math.pi
            pieces.append(_Piece(((i + 0.5) * c, (j + 0.5) * c), heading, 0.0, half))
            continue
        exits = ground.exits(cells[k])
        length = c if turn == 0 else half * math.pi / 2
        if len(exits) >= 3 and uniform(seed, _STOP, k) < 0.06:
            stops.append((_length(pieces) + length / 2, "look"))
        elif turn == 0:
            sides = [side for side, d in ((1.0, (came + 1) % 4), (-1.0, (came + 3) % 4)) if d in exits]
            openings += [(_length(pieces) + half, side) for side in sides[:1]]
        bend = {0: 0.0, 1: 1.0, 3: -1.0}[turn]
        pieces.append(_Piece(entry, heading, bend / half, length))
        heading += bend * math.pi / 2
    return pieces, stops, openings


def _wrap(angle: float) -> float:
    """The angle in [-pi, pi)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


def _line(a: tuple[float, float], b: tuple[float, float]) -> _Piece:
    return _Piece(a, math.atan2(b[1] - a[1], b[0] - a[0]), 0.0, math.dist(a, b))


def _length(pieces: list[_Piece]) -> float:
    return sum(p.length for p in pieces)


def _evaluate(pieces: list[_Piece], s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Points (n, 2) and tangent headings (continuous but for U-turns) at path metres `s`."""
    table = np.asarray([(p.start[0], p.start[1], p.heading, p.curve, p.length) for p in pieces])
    ends = np.cumsum(table[:, 4])
    index = np.minimum(np.searchsorted(ends, s, side="right"), len(pieces) - 1)
    x0, y0, h0, k, length = table[index].T
    u = s - (ends[index] - length)
    heading = h0 + k * u
    safe = np.where(k == 0, 1.0, k)
    bent_x, bent_y = x0 + (np.sin(heading) - np.sin(h0)) / safe, y0 - (np.cos(heading) - np.cos(h0)) / safe
    xy = np.where(
        (k == 0)[:, None],
        np.column_stack([x0 + u * np.cos(h0), y0 + u * np.sin(h0)]),
        np.column_stack([bent_x, bent_y]),
    )
    return xy, heading


def _stop_frames(stops: list[tuple[float, str]], s: FloatArray) -> list[tuple[int, str]]:
    """Each stop on the last walking frame before it, in order, one per frame (a frame exactly
    at a U-turn already looks the new way, so the stop comes on the frame before)."""
    found: dict[int, str] = {}
    for at, kind in stops:
        if at <= s[-1]:
            found.setdefault(max(int(np.searchsorted(s, at - 1e-9, side="left")) - 1, 0), kind)
    return sorted(found.items())


def _look_ahead(heading: FloatArray, step: float, stop_at: list[tuple[int, str]]) -> FloatArray:
    """Per frame, the mean heading of the path ahead, up to LOOK_AHEAD metres and never past the
    next stop (where the view turns on its own), so the view leads into turns."""
    n = len(heading)
    ahead = max(1, round(LOOK_AHEAD / step))
    limit = np.full(n, n - 1)
    for frame, _ in reversed(stop_at):
        limit[: frame + 1] = frame
    end = np.minimum(np.arange(n) + ahead, limit)
    total = np.concatenate([[0.0], np.cumsum(heading)])
    look: FloatArray = (total[end + 1] - total[:n]) / (end + 1 - np.arange(n))
    return look


def _glances(
    openings: list[tuple[float, float]], stops: list[tuple[float, str]], s: FloatArray, seed: int
) -> FloatArray:
    """Yaw offsets turning the view aside into some of the openings passed, and back."""
    offset = np.zeros(len(s))
    busy = [at for at, _ in stops]
    last = 0.0
    for k, (at, side) in enumerate(openings):
        begin = at - 0.6 * GLANCE_M
        clear = all(abs(stop - at) > GLANCE_M for stop in busy)
        if begin < last + 1.0 or not clear or uniform(seed, _GLANCE, k) >= 0.4:
            continue
        u = np.clip((s - begin) / GLANCE_M, 0.0, 1.0)
        offset += side * (0.6 + 0.5 * float(uniform(seed, _GLANCE, k, 1))) * np.sin(np.pi * u) ** 2
        last = begin + GLANCE_M
    return offset


def _with_stops(
    look: FloatArray, yaw0: float, stop_at: list[tuple[int, str]], fps: int, seed: int
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """The walking frames with the stops put in: per frame, which walking frame's place, and the yaw."""
    n = len(look)
    places, views = [], []
    first = look[0] + _wrap(yaw0 - look[0])
    if abs(first - look[0]) > 1e-6:
        turn = _sweep([first, look[0]], fps)
        places.append(np.zeros(len(turn) + 1, np.int64))
        views.append(np.concatenate([[first], turn]))
    cursor = 0
    for number, (frame, _) in enumerate(stop_at):
        places.append(np.arange(cursor, frame + 1))
        views.append(look[cursor : frame + 1])
        arrive, leave = look[frame], look[min(frame + 1, n - 1)]
        side = 1.0 if uniform(seed, _SWEEP, number) < 0.5 else -1.0
        swing = 0.8 + 0.6 * float(uniform(seed, _SWEEP, number, 1))
        turn = _sweep([arrive, arrive + side * swing, arrive - side * swing * 0.8, leave], fps)
        places.append(np.full(len(turn), frame))
        views.append(turn)
        cursor = frame + 1
    places.append(np.arange(cursor, n))
    views.append(look[cursor:])
    return np.concatenate(places).astype(np.int64), np.concatenate(views)


def _sweep(keys: list[float], fps: int) -> FloatArray:
    """Yaw frames turning smoothly through `keys` (after the first), pausing at each."""
    parts = []
    for a, b in itertools.pairwise(keys):
        frames = max(round(0.5 * fps), math.ceil(abs(b - a) / TURN_RATE * fps))
        u = np.arange(1, frames + 1) / frames
        parts += [a + (b - a) * u * u * (3 - 2 * u), np.full(round(0.4 * fps), b)]
    return np.concatenate(parts[:-1])
