"""Walks through the endless world: a route over chunks planned as it reaches them, what to build, when to show it."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray, IntArray
from .descent import plan_descent
from .errors import InvalidSpecError
from .floors import lifted
from .geometry import MeshArrays, Pieces, quad_faces, wall_mesh
from .layout import covering_chunks
from .lightmap import with_lightmap
from .plan import LevelPlan, concat_styled, on_pieces, plan_level, restyled, wall_style
from .spec import LevelSpec, Range, Setting
from .styles import style_of
from .walk import FloatArray, Ground, Route, plan_route, walk_route

# A walk's lamps: every lit fixture of a chunk gets one, shown only while the camera is within
# the radius that holds about the level's light budget of fixtures (core/stream.py lamp_radius).
ALL_LAMPS = 512

WALK_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "length",
        60.0,
        "Length",
        "metres the camera walks (stops not counted)",
        "camera",
        limits=Range(1.0, 100_000.0, "m"),
    ),
    Setting("speed", 1.4, "Speed", "walking pace", "camera", limits=Range(0.2, 10.0, "m/s")),
    Setting("fps", 24, "Frame Rate", "frames per second of the walk", "camera", limits=Range(1, 120, "fps", True)),
    Setting(
        "shake", 0.5, "Shake", "strength of the handheld shake, 0 for a steady camera", "camera", limits=Range(0.0, 1.0)
    ),
    Setting(
        "view_radius",
        40.0,
        "View Radius",
        "chunks within this distance of the camera are built and shown",
        "camera",
        limits=Range(8.0, 500.0, "m"),
    ),
    Setting("descend", False, "Descend", "start on the top floor and go down a shaft through every floor", "camera"),
    Setting(
        "heading",
        0.0,
        "Keep Heading",
        "how strongly the walk keeps to the way it set out: 0 wanders, 1 seldom turns back",
        "camera",
        limits=Range(0.0, 1.0),
    ),
)
WALK_DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in WALK_SETTINGS}


def check_walk_settings(settings: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    """The walk settings with defaults filled in: the level `style`'s own walk settings (a run's
    pace) where it has them, else the walk's defaults; InvalidSpecError naming a field out of range."""
    unknown = set(settings) - set(WALK_DEFAULTS)
    if unknown:
        raise InvalidSpecError(sorted(unknown)[0], "is not a walk setting")
    merged = {**WALK_DEFAULTS, **(style_of(style).walk if style is not None else {}), **settings}
    for setting in WALK_SETTINGS:
        value = merged[setting.name]
        if setting.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = merged[setting.name] = float(value)
        setting.validate(value)
    return merged


def restyled_walk(old: str, new: str) -> dict[str, Any]:
    """The walk settings that choosing a level of style `new` in place of one of style `old` sets
    (the panel's): those either style has values of its own for (a run's pace), as `new` has them;
    the others, and all of them when the style stays, as the user left them."""
    own = set(style_of(old).walk) | set(style_of(new).walk) if new != old else set()
    values = check_walk_settings({}, new)
    return {name: values[name] for name in WALK_DEFAULTS if name in own}


def tile_spec(spec: LevelSpec, chunk: tuple[int, int], count: tuple[int, int] = (1, 1)) -> LevelSpec:
    """A block of `count` chunks from `chunk` as a region of its own: open (no perimeter, so
    blocks side by side are the world without a seam), a piece per chunk, a lamp at every lit
    fixture (a walk shows each only near the camera), a descent shaft only where asked for."""
    size = spec.chunk_size
    budget = 0 if spec.light_budget == 0 else ALL_LAMPS
    return spec.replace(
        origin=(chunk[0] * size, chunk[1] * size),
        width=count[0] * size,
        depth=count[1] * size,
        perimeter=False,
        piece_chunks=1,
        light_budget=budget,
        shaft=spec.shaft and count != (1, 1),
    )


@dataclass(frozen=True)
class _Tile:
    """What a route needs of one chunk's ground floor, in the chunk's own cells."""

    walls_h: BoolArray
    walls_v: BoolArray
    blocked: BoolArray  # pillars, holes and what stands in the cell


class WorldGround(Ground):
    """The endless ground floor of a level, planned one chunk at a time as a route reaches it.
    Cell (0, 0) of the route's frame is world cell `origin`."""

    def __init__(self, spec: LevelSpec, origin: tuple[int, int]) -> None:
        self.spec, self.origin = spec, origin
        self.cell_size, self.wall_thickness = spec.cell_size, spec.wall_thickness
        self.tiles: dict[tuple[int, int], _Tile] = {}

    def tile(self, chunk: tuple[int, int]) -> _Tile:
        found = self.tiles.get(chunk)
        if found is None:
            floor = plan_level(tile_spec(self.spec, chunk)).floors[0]
            blocked = floor.layout.solid | floor.floor_holes
            if floor.occupied is not None:
                blocked = blocked | floor.occupied
            found = self.tiles[chunk] = _Tile(floor.layout.walls_h, floor.layout.walls_v, blocked)
        return found

    def free(self, i: int, j: int) -> bool:
        size = self.spec.chunk_size
        x, y = self.origin[0] + i, self.origin[1] + j
        tile = self.tile((x // size, y // size))
        return not bool(tile.blocked[y % size, x % size])

    def _wall(self, horizontal: bool, row: int, col: int) -> bool:
        size = self.spec.chunk_size  # one wall at a time, as a route steps: no arrays to make
        x, y = col + self.origin[0], row + self.origin[1]
        tile = self.tile((x // size, y // size))
        walls = tile.walls_h if horizontal else tile.walls_v
        return bool(walls[y % size, x % size])

    def walls_at(self, horizontal: bool, rows: IntArray, cols: IntArray) -> BoolArray:
        size = self.spec.chunk_size
        # A wall on a chunk's border is in both chunks' arrays (the world has no seams): each is
        # read from the chunk whose first row or column it is.
        x, y = cols + self.origin[0], rows + self.origin[1]
        chunks = np.column_stack([x // size, y // size])
        found = np.zeros(len(rows), np.bool_)
        for chunk in np.unique(chunks, axis=0):
            here = (chunks[:, 0] == chunk[0]) & (chunks[:, 1] == chunk[1])
            tile = self.tile((int(chunk[0]), int(chunk[1])))
            walls = tile.walls_h if horizontal else tile.walls_v
            found[here] = walls[y[here] - chunk[1] * size, x[here] - chunk[0] * size]
        return found


@dataclass(frozen=True)
class Walk:
    """A walk planned through the world: the route, the chunks built and when each is shown.

    Everything is in the walk's frame: its cell (0, 0) is world cell `frame_origin`, the
    south-west corner of the chunks built, so every built chunk lies at positive coordinates.
    """

    spec: LevelSpec
    route: Route
    frame_origin: tuple[int, int]
    chunks: tuple[tuple[int, int], ...]  # built, by the frame each is first shown, then (cx, cy)
    shown: dict[tuple[int, int], tuple[tuple[int, int], ...]]  # chunk -> (first, last) route frames shown
    settings: dict[str, Any]
    # A style that is not endless (core/styles.py) is walked within its region, built whole as one
    # tile: `chunks` then holds the region's first chunk alone, at the frame's origin.
    whole_region: bool = False
    # Chunks built as one block (the first chunk, and how many along x and y): the chunks round a
    # descent shaft, which is planned on the block; None: every chunk on its own.
    block: tuple[tuple[int, int], tuple[int, int]] | None = None

    def in_block(self, chunk: tuple[int, int]) -> bool:
        if self.block is None:
            return False
        (bx, by), (nx, ny) = self.block
        return bx <= chunk[0] < bx + nx and by <= chunk[1] < by + ny

    def spans(self, key: tuple[int, int]) -> tuple[tuple[int, int], ...]:
        """The runs of route frames (first, last) in which what was built for `key` (a chunk, or
        the block's first chunk) is shown: a block whenever one of its chunks is."""
        if not self.in_block(key):
            return self.shown[key]
        members = [self.shown[c] for c in self.chunks if self.in_block(c)]
        frames = np.unique(np.concatenate([np.arange(a, b + 1) for spans in members for a, b in spans]))
        return _runs(frames)

    def lamp_spans(self, chunk: tuple[int, int], lamps: FloatArray) -> list[tuple[tuple[int, int], ...]]:
        """Per lamp of chunk (or block) `chunk` (positions in its own frame), the runs of route
        frames (first, last) in which it is within the lamp radius of the camera (none: never)."""
        frames = np.concatenate([np.arange(a, b + 1) for a, b in self.spans(chunk)])
        camera = self.route.positions[frames]
        radius = lamp_radius(self.spec)
        spans = []
        for lamp in lamps + np.array([*self.chunk_offset(chunk), 0.0]):  # on other floors too: in 3D
            near = frames[np.linalg.norm(camera - lamp, axis=1) <= radius]
            spans.append(_runs(near))
        return spans

    def chunk_offset(self, chunk: tuple[int, int]) -> tuple[float, float]:
        """Where chunk `chunk`'s first cell lies in the walk's frame, in metres."""
        if self.whole_region:
            return (0.0, 0.0)
        size, c = self.spec.chunk_size, self.spec.cell_size
        return ((chunk[0] * size - self.frame_origin[0]) * c, (chunk[1] * size - self.frame_origin[1]) * c)


def plan_tile(
    spec: LevelSpec,
    chunk: tuple[int, int],
    built: set[tuple[int, int]],
    troffer: MeshArrays | None = None,
    count: tuple[int, int] = (1, 1),
) -> LevelPlan:
    """The plan of one chunk (or a block of `count` chunks) of a walk, its walls on the north and
    east edges left to the chunks there that are `built` too: an open region has every wall on
    its edges, and the same wall box in two objects shades itself black (its faces shadow each
    other's)."""
    plan = plan_level(tile_spec(spec, chunk, count), troffer)
    north = [k for k in range(count[0]) if (chunk[0] + k, chunk[1] + count[1]) in built]
    east = [k for k in range(count[1]) if (chunk[0] + count[0], chunk[1] + k) in built]
    if not (north or east):
        return plan
    walls = []
    for floor in plan.floors:
        walls_h, walls_v = floor.layout.walls_h.copy(), floor.layout.walls_v.copy()
        across = floor.layout.width // count[0], floor.layout.depth // count[1]  # a floor's cells per chunk
        for k in north:
            walls_h[-1, k * across[0] : (k + 1) * across[0]] = False
        for k in east:
            walls_v[k * across[1] : (k + 1) * across[1], -1] = False
        layout = replace(floor.layout, walls_h=walls_h, walls_v=walls_v)
        story_pieces = Pieces.covering(floor.spec.width, floor.spec.depth, floor.spec.piece_cells)
        mesh = wall_mesh(layout, wall_style(floor.spec), story_pieces)
        moved = lifted(restyled(mesh, style_of(floor.spec.style)), floor.base_z)
        walls.append(on_pieces(moved, plan.pieces, floor.spec, plan.spec))
    return replace(plan, meshes=plan.meshes.replacing("walls", with_lightmap(concat_styled(walls))))


def walk_tiles(walk: Walk, troffer: MeshArrays | None = None) -> Iterator[tuple[tuple[int, int], LevelPlan]]:
    """The plans of the walk's chunks in the order they are built, each wall face on a chunk border
    built once: plan_tile leaves the border walls to the neighbour, and the posts both sides still
    have (a wall ending on the border) go to the chunk built first."""
    if walk.whole_region:
        yield walk.chunks[0], plan_level(walk.spec, troffer)
        return
    built, seen = set(walk.chunks), set[tuple[int, ...]]()
    size_m = walk.spec.chunk_size * walk.spec.cell_size
    block_done = False
    for chunk in walk.chunks:
        count = (1, 1)
        if walk.block is not None and walk.in_block(chunk):
            if block_done:
                continue
            (chunk, count), block_done = walk.block, True
        plan = plan_tile(walk.spec, chunk, built, troffer, count)
        extent = (count[0] * size_m, count[1] * size_m)
        walls = _once(plan.meshes["walls"], walk.chunk_offset(chunk), extent, walk.spec.wall_thickness, seen)
        yield chunk, replace(plan, meshes=plan.meshes.replacing("walls", walls))


def _once(
    mesh: MeshArrays,
    offset: tuple[float, float],
    extent: tuple[float, float],
    thickness: float,
    seen: set[tuple[int, ...]],
) -> MeshArrays:
    """The mesh without the faces on its edges (`extent` metres from its origin) that an earlier
    chunk already has."""
    quads = mesh.vertices[mesh.faces].astype(np.float64)
    low, high = quads[:, :, :2].min(axis=1), quads[:, :, :2].max(axis=1)
    reach = thickness / 2 + 1e-3
    border = ((low <= reach) | (high >= np.asarray(extent) - reach)).any(axis=1)  # within half a wall
    keep = np.ones(mesh.face_count, np.bool_)
    centres = quads.mean(axis=1) + np.array([*offset, 0.0])
    normals = mesh.normals()
    for face in np.nonzero(border)[0].tolist():
        key = (*np.round(centres[face] * 1000).astype(int).tolist(), *np.round(normals[face] * 10).astype(int).tolist())
        keep[face] = key not in seen
        seen.add(key)
    return mesh if keep.all() else _faces(mesh, keep)


def _faces(mesh: MeshArrays, keep: BoolArray) -> MeshArrays:
    """The mesh with only the faces in `keep` (each face owns its four vertices)."""
    loops = (np.nonzero(keep)[0][:, None] * 4 + np.arange(4)).ravel()
    count = int(keep.sum())
    return MeshArrays(
        vertices=mesh.vertices[loops],
        faces=quad_faces(count),
        uvs=mesh.uvs[loops],
        material_indices=mesh.material_indices[keep],
        materials=mesh.materials,
        pieces=mesh.pieces[keep],
        lightmap=None if mesh.lightmap is None else mesh.lightmap[loops],
    )


@dataclass(frozen=True)
class LampSlot:
    """One lamp of a walk that moves from fixture to fixture: its fixture state and its stays,
    (first, last route frame, x, y, z) in order, never two at once."""

    state: int
    stays: tuple[tuple[int, int, float, float, float], ...]


def lamp_slots(lamps: list[tuple[int, FloatArray, tuple[tuple[int, int], ...]]]) -> list[LampSlot]:
    """As few lamps as can light every (state, position, spans) given: a lamp of one state takes
    the next stay of that state that starts after its last one ends (intervals by their start: the
    fewest lamps an interval schedule allows), so a walk's lamp count is what is lit at once, not
    how many fixtures the route passes."""
    slots: list[LampSlot] = []
    for state in sorted({state for state, _, _ in lamps}):
        stays = sorted(
            (first, last, *np.round(position, 6).tolist())
            for kind, position, spans in lamps
            if kind == state
            for first, last in spans
        )
        ends: list[tuple[int, int]] = []  # (last frame, slot) of the lamps of this state, a heap
        mine: list[list[tuple[int, int, float, float, float]]] = []
        for stay in stays:
            if ends and ends[0][0] < stay[0]:
                _, slot = heapq.heappop(ends)
            else:
                slot = len(mine)
                mine.append([])
            mine[slot].append(stay)
            heapq.heappush(ends, (stay[1], slot))
        slots += [LampSlot(state, tuple(found)) for found in mine]
    return slots


def lamp_radius(spec: LevelSpec) -> float:
    """Metres round the camera within which a walk's lamps shine: a disc holding about the light
    budget of fixture places (one per fixture spacing squared)."""
    spacing_m = style_of(spec.style).fixture_spacing * spec.cell_size
    return float(spacing_m * math.sqrt(spec.light_budget / math.pi))


def _runs(frames: IntArray) -> tuple[tuple[int, int], ...]:
    """Sorted frame numbers as runs of consecutive frames (first, last)."""
    if len(frames) == 0:
        return ()
    breaks = np.nonzero(np.diff(frames) != 1)[0]
    firsts = np.concatenate([[frames[0]], frames[breaks + 1]])
    lasts = np.concatenate([frames[breaks], [frames[-1]]])
    return tuple((int(a), int(b)) for a, b in zip(firsts, lasts, strict=True))


def plan_walk(spec: LevelSpec, seed: int | None = None, **settings: Any) -> Walk:
    """A walk of `length` metres from the spawn of `spec`'s region through the open world, and
    the chunks within `view_radius` of it (pure: the same arguments give the same walk)."""
    walk = check_walk_settings(settings, spec.style)
    seed = spec.seed if seed is None else seed
    if not style_of(spec.style).endless:
        route = plan_route(plan_level(spec), walk["length"], walk["speed"], walk["fps"], seed)
        first = covering_chunks(spec)[0]
        return Walk(spec, route, spec.origin, (first,), {first: ((0, route.frame_count - 1),)}, walk, True)
    if walk["descend"]:
        return _descending_walk(spec, walk, seed)
    spec = spec.replace(perimeter=False)  # the world goes on past the region's edge
    start: LevelPlan = plan_level(spec)
    ground = WorldGround(spec, spec.origin)
    yaw, position = start.spawn.yaw, start.spawn.position[:2]
    route = walk_route(ground, position, yaw, walk["length"], walk["speed"], walk["fps"], seed, walk["heading"])
    return frame_walk(spec, route, walk)


def _descending_walk(spec: LevelSpec, walk: dict[str, Any], seed: int) -> Walk:
    """The descending shot: on the top floor of the chunks covering the region, to the shaft
    through every floor and down it, then on through the open world on the ground floor."""
    spec = spec.replace(perimeter=False, shaft=True)
    first, count = covering_chunks(spec)
    block = tile_spec(spec, first, count)
    plan = plan_level(block)
    if spec.floors < 2:
        raise InvalidSpecError("descend", "needs a level of more than one floor (floors > 1)")
    try:
        down, (x, y, yaw) = plan_descent(plan, walk["fps"], walk["speed"])
    except InvalidSpecError:
        raise InvalidSpecError(
            "descend", f"no shaft fits through every floor of this level (seed {spec.seed}): try another seed"
        ) from None
    walked = float(np.linalg.norm(np.diff(down.positions[:, :2], axis=0), axis=1).sum())
    ground = WorldGround(spec.replace(shaft=False), block.origin)
    ground.tiles.update(_block_tiles(plan, first, count))  # the block's own ground, round the shaft
    rest = max(walk["length"] - walked, 1.0)
    on = walk_route(ground, (x, y), yaw, rest, walk["speed"], walk["fps"], seed, walk["heading"])
    moved = frame_walk(block, _joined(down, on), walk)
    return replace(moved, spec=spec, block=(first, count))


def _block_tiles(plan: LevelPlan, first: tuple[int, int], count: tuple[int, int]) -> dict[tuple[int, int], _Tile]:
    """A block's ground floor cut into its chunks, as a route reads them."""
    floor, size = plan.floors[0], plan.spec.chunk_size
    blocked = floor.layout.solid | floor.floor_holes
    if floor.occupied is not None:
        blocked = blocked | floor.occupied
    tiles = {}
    for a in range(count[0]):
        for b in range(count[1]):
            rows, cols = slice(b * size, (b + 1) * size), slice(a * size, (a + 1) * size)
            tiles[(first[0] + a, first[1] + b)] = _Tile(
                floor.layout.walls_h[b * size : (b + 1) * size + 1, cols],
                floor.layout.walls_v[rows, a * size : (a + 1) * size + 1],
                blocked[rows, cols],
            )
    return tiles


def _joined(first: Route, then: Route) -> Route:
    """One route: `first`, then `then` from its second frame (its first is where `first` ends),
    its headings turned by whole turns so the view does not spin."""
    turns = 2 * math.pi * round((first.yaw[-1] - then.yaw[0]) / (2 * math.pi))
    return Route(
        np.concatenate([first.positions, then.positions[1:]]),
        np.concatenate([first.yaw, then.yaw[1:] + turns]),
        np.concatenate([first.pitch, then.pitch[1:]]),
        first.fps,
        first.speed,
        np.concatenate([first.cells, then.cells]),
    )


def frame_walk(spec: LevelSpec, route: Route, walk: dict[str, Any]) -> Walk:
    """The chunks a route in `spec`'s region frame needs, and the route moved to the walk's frame."""
    size, c = spec.chunk_size, spec.cell_size
    world_xy = route.positions[:, :2] + np.asarray(spec.origin, np.float64) * c  # metres from world cell 0
    shown = _shown_chunks(world_xy, size * c, walk["view_radius"])
    first = min(cx for cx, _ in shown), min(cy for _, cy in shown)
    frame_origin = (first[0] * size, first[1] * size)
    cells_shift = np.asarray(spec.origin, np.int64) - np.asarray(frame_origin, np.int64)
    positions = route.positions.copy()
    positions[:, :2] += cells_shift * c
    moved = replace(route, positions=positions, cells=route.cells + cells_shift)
    order = sorted(shown, key=lambda chunk: (shown[chunk][0][0], chunk))
    return Walk(spec, moved, frame_origin, tuple(order), shown, walk)


def _shown_chunks(
    xy: npt.NDArray[np.float64], chunk_m: float, radius: float
) -> dict[tuple[int, int], tuple[tuple[int, int], ...]]:
    """Per chunk within `radius` of some frame's camera, the runs of frames (first, last) it is within."""
    reach = math.ceil(radius / chunk_m)
    home = np.floor(xy / chunk_m).astype(np.int64)
    pairs = []
    frames = np.arange(len(xy))
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            chunk = home + np.array([dx, dy])
            low = chunk * chunk_m
            gap = np.maximum(np.maximum(low - xy, xy - (low + chunk_m)), 0.0)
            near = np.hypot(gap[:, 0], gap[:, 1]) <= radius
            pairs.append(np.column_stack([chunk[near], frames[near]]))
    table = np.unique(np.concatenate(pairs), axis=0)  # sorted by chunk, then frame
    runs: dict[tuple[int, int], list[tuple[int, int]]] = {}
    new_run = np.ones(len(table), np.bool_)
    same_chunk = (table[1:, 0] == table[:-1, 0]) & (table[1:, 1] == table[:-1, 1])
    new_run[1:] = ~same_chunk | (table[1:, 2] != table[:-1, 2] + 1)
    starts = np.nonzero(new_run)[0]
    ends = np.append(starts[1:] - 1, len(table) - 1)
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        key = (int(table[start, 0]), int(table[start, 1]))
        runs.setdefault(key, []).append((int(table[start, 2]), int(table[end, 2])))
    return {chunk: tuple(spans) for chunk, spans in runs.items()}
