"""The descending shot: a walk on the top floor to the descent shaft, then down it to the ground floor."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .errors import InvalidSpecError
from .features import EYE_HEIGHT
from .plan import FloorPlan, LevelPlan, find_spawn
from .shaft import Rect
from .walk import Route

F64 = npt.NDArray[np.float64]

CLEARANCE_M = 0.25  # the walk keeps this far from walls and pillars
WALK_RAMP_S = 1.0  # seconds to reach walking speed, and to stop over the shaft
DESCENT_SPEED = 0.6  # metres per second down the shaft at its steadiest
DESCENT_RAMP_S = 2.5  # seconds to reach it, and to come to rest on the ground floor
PITCH_DOWN = 0.3  # radians the view dips at full descending speed
TURN_RATE = 0.25  # radians per second the view turns at full descending speed
SLAB_MARGIN_M = 0.1  # the eye is over the shaft's middle before it comes this close to the top floor
_STEP_M = 0.05  # samples along the walk checked against walls and holes
_DIRECTIONS = 16


def plan_descent(
    plan: LevelPlan, fps: int, speed: float, walk_m: float = 4.0
) -> tuple[Route, tuple[float, float, float]]:
    """The camera at eye height on the top floor, about `walk_m` metres from the descent shaft (at
    the top floor's spawn where that is a straight, free walk to it), walks to the shaft, stops
    over its middle and goes down it in one slow eased movement, the view dipping and turning
    while it moves, to eye height on the ground floor. Returns the route (level frame, as
    plan.spawn) and where a walk on the ground floor continues: (x, y, yaw)."""
    opening = shaft_opening(plan)
    top = plan.floors[-1]
    centre = ((opening.x0 + opening.x1) / 2, (opening.y0 + opening.y1) / 2)
    start = _start(top, centre, walk_m)
    heading = math.atan2(centre[1] - start[1], centre[0] - start[0])
    walk, walk_s = _eased(math.dist(start, centre), speed, WALK_RAMP_S)
    drop, drop_s = _eased(top.base_z, DESCENT_SPEED, DESCENT_RAMP_S)
    # The descent may start as soon as the eye is over the shaft, but it reaches the top floor's
    # level only once the eye is at rest over the middle: no slab edge comes near it.
    edge_s = _time_at(walk, walk_s, max(0.0, math.dist(start, centre) - _half_width(opening, heading)))
    down_s = max(edge_s, walk_s - _time_at(drop, drop_s, EYE_HEIGHT - SLAB_MARGIN_M))
    times = np.arange(math.ceil((down_s + drop_s) * fps) + 1) / fps
    along, fallen = walk(times), drop(times - down_s)
    direction = np.array([math.cos(heading), math.sin(heading)])
    positions = np.column_stack(
        [start[0] + along * direction[0], start[1] + along * direction[1], top.base_z + EYE_HEIGHT - fallen]
    )
    positions[-1] = (centre[0], centre[1], EYE_HEIGHT)  # exactly at rest on the ground floor
    steepness = np.gradient(fallen, times) / DESCENT_SPEED if len(times) > 1 else np.zeros(1)
    pitch = -PITCH_DOWN * np.clip(steepness, 0.0, 1.0)
    pitch[-1] = 0.0
    yaw = heading + TURN_RATE * fallen / DESCENT_SPEED
    route = Route(positions, yaw, pitch, fps, speed, _cells(plan, start, centre))
    return route, (centre[0], centre[1], float(yaw[-1]))


def shaft_opening(plan: LevelPlan) -> Rect:
    """The part of the descent shaft open on every floor, in metres; ValueError naming `descend`
    where the level has no shaft."""
    if len(plan.floors) < 2:
        raise InvalidSpecError("descend", "needs a level of more than one floor (floors > 1) with a shaft")
    if any("shaft" not in floor.marks for floor in plan.floors):
        raise InvalidSpecError(
            "descend", "needs a descent shaft: set shaft (--shaft), on a level where one fits on every floor"
        )
    rects = [_cells_rect(floor.marks["shaft"], floor.spec.cell_size) for floor in plan.floors]
    shared = rects[0]
    for rect in rects[1:]:
        shared = shared.meet(rect)
    return shared


def _cells_rect(cells: npt.NDArray[np.bool_], cell: float) -> Rect:
    ys, xs = np.nonzero(cells)
    return Rect(xs.min() * cell, ys.min() * cell, (xs.max() + 1) * cell, (ys.max() + 1) * cell)


def _half_width(opening: Rect, heading: float) -> float:
    """How far from the opening's middle its edge is, coming in along `heading`."""
    half = ((opening.x1 - opening.x0) / 2, (opening.y1 - opening.y0) / 2)
    reach = [h / abs(c) for h, c in zip(half, (math.cos(heading), math.sin(heading)), strict=True) if abs(c) > 1e-9]
    return min(reach)


def _start(top: FloorPlan, centre: tuple[float, float], walk_m: float) -> tuple[float, float]:
    """Where the walk starts: the top floor's spawn where the straight way from it to the shaft is
    free and about `walk_m` long, else the first free point `walk_m` (or less) out from the
    shaft, the directions tried from the spawn's round."""
    cell = top.spec.cell_size
    blocked = top.floor_holes | (top.occupied if top.occupied is not None else False)
    spawn = find_spawn(top.layout, cell, blocked).position[:2]
    opening = _cells_rect(top.marks["shaft"], cell)
    toward = math.atan2(spawn[1] - centre[1], spawn[0] - centre[0])
    edge = _half_width(opening, toward)
    if 0.5 * walk_m <= math.dist(spawn, centre) - edge <= 2 * walk_m and _free(top, spawn, centre, opening):
        return spawn
    for length in (walk_m, 0.75 * walk_m, 0.5 * walk_m, 0.25 * walk_m, cell / 2):
        for turn in range(_DIRECTIONS):
            angle = toward + 2 * math.pi * turn / _DIRECTIONS
            reach = _half_width(opening, angle) + length
            point = (centre[0] + reach * math.cos(angle), centre[1] + reach * math.sin(angle))
            if _free(top, point, centre, opening):
                return point
    raise InvalidSpecError("descend", "found no free way to the shaft on the top floor")


def _free(top: FloorPlan, start: tuple[float, float], centre: tuple[float, float], opening: Rect) -> bool:
    """Whether the straight way from `start` to the shaft keeps CLEARANCE_M from walls, pillars
    and the region's edge, over floor without holes or anything standing on it."""
    steps = max(2, math.ceil(math.dist(start, centre) / _STEP_M))
    share = np.linspace(0.0, 1.0, steps + 1)
    x = start[0] + share * (centre[0] - start[0])
    y = start[1] + share * (centre[1] - start[1])
    outside = ~((x > opening.x0) & (x < opening.x1) & (y > opening.y0) & (y < opening.y1))
    return bool(_clear(top, x[outside], y[outside]).all())


def _clear(top: FloorPlan, x: F64, y: F64) -> npt.NDArray[np.bool_]:
    """Per point: on floor of the region, no hole or crate there, CLEARANCE_M from every wall,
    pillar and the region's edge."""
    spec, layout = top.spec, top.layout
    cell, half = spec.cell_size, spec.wall_thickness / 2
    i, j = np.floor(x / cell).astype(np.int64), np.floor(y / cell).astype(np.int64)
    inside = (x >= CLEARANCE_M) & (y >= CLEARANCE_M)
    inside &= (x <= spec.width * cell - CLEARANCE_M) & (y <= spec.depth * cell - CLEARANCE_M)
    i, j = np.clip(i, 0, spec.width - 1), np.clip(j, 0, spec.depth - 1)
    occupied = top.occupied if top.occupied is not None else np.zeros_like(top.floor_holes)
    ok: npt.NDArray[np.bool_] = inside & ~top.floor_holes[j, i] & ~occupied[j, i] & ~layout.solid[j, i]
    for dj in (-1, 0, 1, 2):
        for di in (-1, 0, 1, 2):
            a, b = i + di, j + dj
            # The south edge of cell (a, b), the west edge of cell (a, b), and cell (a, b) itself.
            south = _at(layout.walls_h, b, a)
            ok &= ~south | (_to_segment(x, y, a * cell, b * cell, (a + 1) * cell, b * cell) >= CLEARANCE_M + half)
            west = _at(layout.walls_v, b, a)
            ok &= ~west | (_to_segment(x, y, a * cell, b * cell, a * cell, (b + 1) * cell) >= CLEARANCE_M + half)
            pillar = _at(layout.solid, b, a)
            ok &= ~pillar | (_to_box(x, y, a * cell, b * cell, cell) >= CLEARANCE_M)
    return ok


def _at(
    cells: npt.NDArray[np.bool_], rows: npt.NDArray[np.int64], columns: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """cells[rows, columns], False outside."""
    inside = (rows >= 0) & (rows < cells.shape[0]) & (columns >= 0) & (columns < cells.shape[1])
    found: npt.NDArray[np.bool_] = np.where(
        inside, cells[np.clip(rows, 0, cells.shape[0] - 1), np.clip(columns, 0, cells.shape[1] - 1)], False
    )
    return found


def _to_segment(x: F64, y: F64, x0: F64, y0: F64, x1: F64, y1: F64) -> F64:
    """Distance from points to axis-aligned segments."""
    dx = np.maximum(np.maximum(np.minimum(x0, x1) - x, 0.0), x - np.maximum(x0, x1))
    dy = np.maximum(np.maximum(np.minimum(y0, y1) - y, 0.0), y - np.maximum(y0, y1))
    distance: F64 = np.hypot(dx, dy)
    return distance


def _to_box(x: F64, y: F64, x0: F64, y0: F64, size: float) -> F64:
    """Distance from points to squares of side `size` from (x0, y0)."""
    dx = np.maximum(np.maximum(x0 - x, 0.0), x - (x0 + size))
    dy = np.maximum(np.maximum(y0 - y, 0.0), y - (y0 + size))
    distance: F64 = np.hypot(dx, dy)
    return distance


def _eased(distance: float, top_speed: float, ramp: float) -> tuple[Callable[[F64], F64], float]:
    """Distance covered over time when moving `distance` from rest to rest: the speed rises as half
    a cosine over `ramp` seconds to `top_speed` (less, where the way is too short to reach it),
    holds, and falls the same way. Returns it (clamped outside the movement) and its duration."""
    if distance <= 0:
        return (lambda t: np.zeros_like(t)), 0.0
    speed = min(top_speed, distance / ramp)
    cruise = (distance - speed * ramp) / speed
    total = 2 * ramp + cruise

    def ramped(t: F64) -> F64:
        t = np.clip(t, 0.0, ramp)
        covered: F64 = speed * (t / 2 - ramp / (2 * math.pi) * np.sin(math.pi * t / ramp))
        return covered

    def covered(t: F64) -> F64:
        t = np.clip(np.asarray(t, np.float64), 0.0, total)
        middle = speed * ramp / 2 + speed * (t - ramp)
        found: F64 = np.where(t < ramp, ramped(t), np.where(t <= ramp + cruise, middle, distance - ramped(total - t)))
        return found

    return covered, total


def _time_at(covered: Callable[[F64], F64], total: float, distance: float) -> float:
    """When an eased movement has covered `distance` (to a millisecond)."""
    times = np.linspace(0.0, total, max(2, math.ceil(total * 1000) + 1))
    return float(times[min(int(np.searchsorted(covered(times), distance)), len(times) - 1)])


def _cells(plan: LevelPlan, start: tuple[float, float], centre: tuple[float, float]) -> npt.NDArray[np.int64]:
    """The top floor's cells walked, in order, then the ground floor's cell under the shaft."""
    top, ground = plan.floors[-1].spec.cell_size, plan.floors[0].spec.cell_size
    share = np.linspace(0.0, 1.0, max(2, math.ceil(math.dist(start, centre) / _STEP_M)) + 1)
    points = np.array(start) + share[:, None] * (np.array(centre) - np.array(start))
    walked = np.floor(points / top).astype(np.int64)
    keep = np.ones(len(walked), np.bool_)
    keep[1:] = (walked[1:] != walked[:-1]).any(axis=1)
    landing = np.floor(np.array(centre) / ground).astype(np.int64)[None, :]
    return np.concatenate([walked[keep], landing])
