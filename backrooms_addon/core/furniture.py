"""Level 4's furniture: desk clusters, meeting tables, filing cabinets, water coolers and the odd
fallen ceiling tile, placed cell by cell from world coordinates and instanced (a few models, many
copies: core/plan.py).

The models are boxes defined here (MODELS); blend_templates/make_furniture.py builds them into
blend_templates/furniture.blend, which Blender appends them from, so the core still knows every
model's faces for the collision, the cost estimate and the .glb.

An item takes one cell, so the walking camera and the game's collision treat the cell as taken.
No item ever splits a floor's walkable area: items stand only on a lattice of world cells (every
second cell along x and y, so no item stands in another's ring of eight neighbours), and only in a
cell whose open neighbours stay joined around it through that ring, without it. Removing such cells
one by one never disconnects anything: each one's detour is a ring no other item stands in. The
same test keeps doorways clear: a cell just inside a door has its neighbour through the door on
an arc of its ring of its own, so nothing stands there. The meeting rooms (core/meeting_rooms.py)
get their table in the middle cell, with the ring of eight free cells round it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .features import Feature, Features, Placed, Source, Story
from .geometry import MeshArrays, concat_meshes, level_faces, quad_mesh
from .layout import Layout
from .meeting_rooms import is_meeting_room, walled_in
from .rng import hash64, uniform
from .spec import LevelSpec
from .world import Window

FURNITURE = "furniture"  # the kind of mesh that holds the furniture
FURNITURE_MATERIALS = ("furniture_laminate", "furniture_metal", "furniture_fabric", "water_bottle", "ceiling_tile")
LAMINATE, METAL, FABRIC, BOTTLE, TILE = range(5)
LATTICE = 2  # an item may stand on every second world cell along x and y: one free cell between items
FURNISHED_SHARE = 0.8  # of the lattice cells that could hold an item
BLOCK = 12  # cells: open-floor items in one block of the world all run the same way
FALLEN_SHARE = 0.04  # of the furnished cells: a ceiling tile lies there instead
_STREAM = 0x4F464649  # "OFFI"
_FALLEN_STREAM = 0x54494C45  # "TILE"
GAPS = "ceiling gaps"  # the kind of mesh that holds the dark slots over the fallen tiles
GAP_MATERIALS = ("ceiling_gap",)
GAP_DROP = 0.004  # metres below the ceiling: in front of it, seen from below
# Quarter turns about z: the model's back (+y) faces north, west, south, east.
TURNS = 4

F64 = npt.NDArray[np.float64]
Box = tuple[float, float, float, float, float, float, int]  # x0, y0, z0, x1, y1, z1, material


# ---------------------------------------------------------------------------------------------
# Models: boxes in metres, centred on the origin, standing on z = 0, their back towards +y


def _chair(x: float, y: float, facing: float) -> list[Box]:
    """An office chair at (x, y) whose seat faces -y (facing 1) or +y (facing -1)."""
    back = y + facing * 0.24
    return [
        (x - 0.03, y - 0.03, 0.0, x + 0.03, y + 0.03, 0.42, METAL),  # the post
        (x - 0.28, y - 0.03, 0.0, x + 0.28, y + 0.03, 0.05, METAL),  # the star base, two bars
        (x - 0.03, y - 0.28, 0.0, x + 0.03, y - 0.035, 0.05, METAL),
        (x - 0.03, y + 0.035, 0.0, x + 0.03, y + 0.28, 0.05, METAL),
        (x - 0.24, y - 0.24, 0.42, x + 0.24, y + 0.24, 0.5, FABRIC),  # the seat
        (x - 0.22, min(back, back - facing * 0.05), 0.55, x + 0.22, max(back, back - facing * 0.05), 1.0, FABRIC),
    ]


def _desk(y0: float, y1: float, width: float = 1.4) -> list[Box]:
    """A desk between y0 and y1: a laminate top on four legs and a modesty panel at the far side."""
    x = width / 2
    far = y1 - 0.04 if abs(y1) > abs(y0) else y0
    legs = [
        (lx - 0.025, ly - 0.025, 0.0, lx + 0.025, ly + 0.025, 0.72, METAL)
        for lx in (-x + 0.05, x - 0.05)
        for ly in (y0 + 0.05, y1 - 0.05)
    ]
    return [(-x, y0, 0.72, x, y1, 0.75, LAMINATE), *legs, (-x + 0.1, far, 0.2, x - 0.1, far + 0.04, 0.68, METAL)]


def desk_pair() -> list[Box]:
    """Two desks face to face across a fabric partition, a chair at each."""
    partition = (-0.8, -0.025, 0.0, 0.8, 0.025, 1.35, FABRIC)
    return [
        partition,
        *_desk(0.04, 0.74),
        *_desk(-0.74, -0.04),
        *_chair(0.1, 1.05, -1.0),
        *_chair(-0.1, -1.05, 1.0),
    ]


def desk_single() -> list[Box]:
    """One desk with its back to a partition, its chair pulled out."""
    return [(-0.8, 0.55, 0.0, 0.8, 0.6, 1.35, FABRIC), *_desk(-0.16, 0.54), *_chair(0.15, -0.5, -1.0)]


def meeting_table() -> list[Box]:
    """A long table with three chairs along each side."""
    top = (-0.95, -0.45, 0.72, 0.95, 0.45, 0.76, LAMINATE)
    legs = [(lx - 0.04, -0.2, 0.0, lx + 0.04, 0.2, 0.72, METAL) for lx in (-0.7, 0.7)]
    chairs = [box for x in (-0.6, 0.0, 0.6) for y, f in ((0.8, -1.0), (-0.8, 1.0)) for box in _chair(x, y, f)]
    return [top, *legs, *chairs]


def cabinets() -> list[Box]:
    """Two four-drawer filing cabinets side by side, backs to the wall, handles on each drawer."""
    boxes: list[Box] = []
    for x in (-0.24, 0.24):
        boxes.append((x - 0.23, 0.68, 0.0, x + 0.23, 1.3, 1.32, METAL))
        for k in range(4):
            z = 0.1 + 0.31 * k
            boxes.append((x - 0.21, 0.66, z, x + 0.21, 0.68, z + 0.27, METAL))  # the drawer front
            boxes.append((x - 0.06, 0.64, z + 0.2, x + 0.06, 0.66, z + 0.23, LAMINATE))  # its handle
    return boxes


def water_cooler() -> list[Box]:
    """A white cabinet against the wall with the blue bottle upside down on top."""
    return [
        (-0.16, 0.98, 0.0, 0.16, 1.3, 0.95, LAMINATE),
        (-0.06, 0.96, 0.75, 0.06, 0.98, 0.8, METAL),  # the taps
        (-0.13, 1.01, 0.95, 0.13, 1.27, 1.35, BOTTLE),
        (-0.05, 1.09, 1.35, 0.05, 1.19, 1.4, BOTTLE),  # the neck
    ]


# The fallen tile: a ceiling tile under the slot it fell from, one edge on the floor, the other
# propped on a broken corner. GAP is the middle of that slot, from the cell's middle: off the
# troffer, which hangs in the cell's middle (core/fixtures.py), on the 0.6 m ceiling grid.
GAP = (-0.6, -0.6)
GAP_SIDE = 0.56  # the slot less the grid's T-bars
TILE_SIDE, TILE_THICK, TILE_TILT = 0.6, 0.02, np.radians(9.0)


def fallen_tile() -> MeshArrays:
    """The tile tilted about its south edge, and the broken corner under its north edge. It slid
    half a tile east and south as it fell; its edges lie on multiples of 0.6 m from the model's
    origin, where its UVs start, so its texture shows one whole tile, as in the ceiling."""
    x0, y0 = GAP[0], GAP[1] - TILE_SIDE
    tile = box_mesh([(x0, y0, 0.0, x0 + TILE_SIDE, y0 + TILE_SIDE, TILE_THICK, TILE)])
    v = tile.vertices.astype(np.float64)
    dy, z = v[:, 1] - y0, v[:, 2]
    c, s = np.cos(TILE_TILT), np.sin(TILE_TILT)
    v[:, 1], v[:, 2] = y0 + dy * c - z * s, dy * s + z * c + TILE_THICK * s  # nothing below the floor
    lifted = MeshArrays(v.astype(np.float32), tile.faces, tile.uvs, tile.material_indices, tile.materials, tile.pieces)
    corner = y0 + 0.5 * c
    shard = box_mesh([(x0 + 0.3, corner - 0.12, 0.0, x0 + 0.5, corner, 0.5 * s, TILE)])
    return concat_meshes(lifted, shard)


def _boxed(make: Callable[[], list[Box]]) -> Callable[[], MeshArrays]:
    return lambda: box_mesh(make())


# Open-floor items first, then the ones that stand against a wall, then the fallen tile.
OPEN_ITEMS = ("desk pair", "desk", "meeting table")
WALL_ITEMS = ("cabinets", "water cooler")
FALLEN = "fallen tile"
MEETING_TABLE = OPEN_ITEMS.index("meeting table")
ITEMS: dict[str, Callable[[], list[Box]]] = {
    "desk pair": desk_pair,
    "desk": desk_single,
    "meeting table": meeting_table,
    "cabinets": cabinets,
    "water cooler": water_cooler,
}
MODELS: dict[str, Callable[[], MeshArrays]] = {
    **{name: _boxed(make) for name, make in ITEMS.items()},
    FALLEN: fallen_tile,
}
OPEN_WEIGHTS = (0.55, 0.3, 0.15)
WALL_WEIGHTS = (0.75, 0.25)


def box_mesh(boxes: list[Box]) -> MeshArrays:
    """The boxes' faces (no bottom on the floor: nothing sees it), facing out, UVs in metres."""
    quads, uvs, materials = [], [], []
    for box in boxes:
        for corners in _box_quads(*box[:6]):
            quads.append(corners)
            uvs.append(_uvs(corners))
            materials.append(box[6])
    corners_all = np.asarray(quads, np.float64)
    return quad_mesh(corners_all, np.asarray(uvs, np.float64), np.asarray(materials, np.int32), FURNITURE_MATERIALS)


def _box_quads(
    x0: float, y0: float, z0: float, x1: float, y1: float, z1: float
) -> list[list[tuple[float, float, float]]]:
    quads = [
        [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)],  # top
        [(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)],  # south
        [(x1, y1, z0), (x0, y1, z0), (x0, y1, z1), (x1, y1, z1)],  # north
        [(x0, y1, z0), (x0, y0, z0), (x0, y0, z1), (x0, y1, z1)],  # west
        [(x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)],  # east
    ]
    if z0 > 0:
        quads.append([(x0, y0, z0), (x0, y1, z0), (x1, y1, z0), (x1, y0, z0)])  # bottom
    return quads


def _uvs(corners: list[tuple[float, float, float]]) -> list[tuple[float, float]]:
    """Planar UVs in metres on the two axes the face spans."""
    points = np.asarray(corners)
    flat = int(np.argmin(np.ptp(points, axis=0)))
    u, v = [axis for axis in range(3) if axis != flat]
    return [(float(p[u]), float(p[v])) for p in points]


def turned(mesh: MeshArrays, turns: int) -> MeshArrays:
    """The model turned `turns` quarter turns anticlockwise about z (exactly: no rounding)."""
    x, y = mesh.vertices[:, 0], mesh.vertices[:, 1]
    for _ in range(turns % TURNS):
        x, y = -y, x
    vertices = np.stack([x, y, mesh.vertices[:, 2]], axis=1).astype(np.float32)
    return MeshArrays(vertices, mesh.faces, mesh.uvs, mesh.material_indices, mesh.materials, mesh.pieces)


def fitted(mesh: MeshArrays, scale: float, turns: int) -> MeshArrays:
    """A model as a level places it: shrunk along x and y by `scale`, UVs in metres on the two
    axes each face spans most, turned `turns` quarter turns. Blender fits the model it appends
    from furniture.blend with the same function."""
    vertices = mesh.vertices.astype(np.float64) * np.array([scale, scale, 1.0])
    corners = vertices[mesh.faces]  # (n, 4, 3)
    flat = np.argmin(np.ptp(corners, axis=1), axis=1)
    u = np.where(flat == 0, 1, 0)
    v = np.where(flat == 2, 1, 2)
    uvs = np.stack([np.take_along_axis(corners, a[:, None, None], axis=2)[..., 0] for a in (u, v)], axis=-1)
    shrunk = MeshArrays(
        vertices.astype(np.float32),
        mesh.faces,
        np.ascontiguousarray(uvs.reshape(-1, 2), np.float32),
        mesh.material_indices,
        FURNITURE_MATERIALS,
        mesh.pieces,
    )
    return turned(shrunk, turns)


def model_scale(cell_size: float) -> float:
    """The models are made for cells of 3 m; smaller cells get them shrunk to fit."""
    return min(1.0, (cell_size - 0.4) / 2.6)


def sources(cell_size: float) -> tuple[Source, ...]:
    """Every model in every quarter turn, in the order of models()."""
    scale = model_scale(cell_size)
    return tuple(Source(name, scale, k) for name in MODELS for k in range(TURNS))


def models(cell_size: float) -> tuple[tuple[str, MeshArrays], ...]:
    """Every model in every quarter turn, labelled, shrunk to fit cells under 3 m."""
    made = {name: make() for name, make in MODELS.items()}
    return tuple((f"{s.name} {90 * s.turns}", fitted(made[s.name], s.scale, s.turns)) for s in sources(cell_size))


# ---------------------------------------------------------------------------------------------
# Placement


@dataclass(frozen=True)
class Chosen:
    """The cells that hold an item, and which item in which turn (an index into models())."""

    xs: npt.NDArray[np.int64]
    ys: npt.NDArray[np.int64]
    models: npt.NDArray[np.int32]


# The ring of eight neighbours, in order around the cell: each is edge-adjacent to the next.
RING = ((-1, -1), (0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0))


def choose(spec: LevelSpec, layout: Layout, taken: BoolArray | None, roofless: BoolArray | None = None) -> Chosen:
    """Which cells hold furniture: lattice cells inside the region whose removal keeps their open
    neighbours joined, each drawn from its world cell. A few hold a fallen ceiling tile instead,
    where there is a ceiling (not under `roofless` cells)."""
    free = ~layout.solid if taken is None else ~layout.solid & ~taken
    ox, oy = spec.origin
    ys, xs = np.nonzero(free[1:-1, 1:-1])
    xs, ys = xs + 1, ys + 1
    on_lattice = ((xs + ox) % LATTICE == 1) & ((ys + oy) % LATTICE == 1)
    xs, ys = xs[on_lattice], ys[on_lattice]
    draw = uniform(spec.seed, _STREAM, xs + ox, ys + oy)
    meeting = is_meeting_room(layout, xs, ys)  # always furnished
    keep = ((draw < FURNISHED_SHARE) | meeting) & keeps_joined(layout, free, xs, ys)
    xs, ys, meeting = xs[keep], ys[keep], meeting[keep]
    draw = np.minimum(draw[keep] / FURNISHED_SHARE, 0.999)
    sides = _walls(layout, xs, ys)  # (n, 4): south, east, north, west
    walled = sides.any(axis=1)
    open_room = ~walled & _room_interior(layout, free, xs, ys)
    model = np.full(len(xs), -1, np.int32)
    model[open_room] = _open_model(draw[open_room], xs[open_room] + ox, ys[open_room] + oy)
    model[walled] = _wall_model(draw[walled], sides[walled])
    model[meeting] = MEETING_TABLE * TURNS + model[meeting] % TURNS
    fallen = _fallen(spec, xs, ys, roofless) & ~meeting
    model[fallen] = list(MODELS).index(FALLEN) * TURNS + _fallen_turn(spec, xs[fallen] + ox, ys[fallen] + oy)
    chosen = model >= 0
    return Chosen(xs[chosen], ys[chosen], model[chosen])


def _fallen(
    spec: LevelSpec, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64], roofless: BoolArray | None
) -> npt.NDArray[np.bool_]:
    """Which cells get a fallen ceiling tile, drawn from their world cells: never under an opening."""
    ox, oy = spec.origin
    found: npt.NDArray[np.bool_] = uniform(spec.seed, _FALLEN_STREAM, xs + ox, ys + oy) < FALLEN_SHARE
    return found if roofless is None else found & ~roofless[ys, xs]


def _fallen_turn(
    spec: LevelSpec, world_x: npt.NDArray[np.int64], world_y: npt.NDArray[np.int64]
) -> npt.NDArray[np.int32]:
    turn = hash64(spec.seed, _FALLEN_STREAM + 1, world_x, world_y) % np.uint64(TURNS)
    return turn.astype(np.int32)


def _open_model(draw: F64, world_x: npt.NDArray[np.int64], world_y: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """An open-floor item, turned along x or y alike over blocks of the world (rows of desks look
    planned)."""
    item = np.searchsorted(np.cumsum(OPEN_WEIGHTS), draw * 0.999999, side="right")
    turn = (world_x // BLOCK + world_y // BLOCK) % 2
    return (item * TURNS + turn).astype(np.int32)


def _wall_model(draw: F64, sides: npt.NDArray[np.bool_]) -> npt.NDArray[np.int32]:
    """A wall item, its back to the first of the cell's walls: south, east, north or west."""
    item = len(OPEN_ITEMS) + np.searchsorted(np.cumsum(WALL_WEIGHTS), draw * 0.999999, side="right")
    side = np.argmax(sides, axis=1)
    turn = (side + 2) % TURNS  # the model's back faces north (+y) unturned; a south wall wants 2
    model: npt.NDArray[np.int32] = (item * TURNS + turn).astype(np.int32)
    return model


def _walls(layout: Layout, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    return np.stack(
        [layout.walls_h[ys, xs], layout.walls_v[ys, xs + 1], layout.walls_h[ys + 1, xs], layout.walls_v[ys, xs]],
        axis=1,
    )


def _room_interior(
    layout: Layout, free: BoolArray, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Cells in the middle of open floor: all eight neighbours free and no wall between any of them."""
    ok = np.ones(len(xs), np.bool_)
    for dx, dy in RING:
        ok &= free[ys + dy, xs + dx]
    for dy in (-1, 0, 1):
        ok &= ~layout.walls_v[ys + dy, xs] & ~layout.walls_v[ys + dy, xs + 1]
    for dx in (-1, 0, 1):
        ok &= ~layout.walls_h[ys, xs + dx] & ~layout.walls_h[ys + 1, xs + dx]
    return ok


def keeps_joined(
    layout: Layout, free: BoolArray, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Whether each cell's open neighbours (free, no wall between) stay joined through its ring
    once the cell is taken: they all lie on one arc of free, wall-less ring steps. A cell with no
    open neighbour is a room of its own and is never taken."""
    ring_free = np.stack([free[ys + dy, xs + dx] for dx, dy in RING], axis=1)  # (n, 8)
    steps = np.stack([_step_open(layout, xs, ys, RING[k], RING[(k + 1) % 8]) for k in range(8)], axis=1)
    steps &= ring_free & np.roll(ring_free, -1, axis=1)
    # Arc labels: a new arc after every closed step; the last arc is the first when step 7 is open.
    labels = np.concatenate([np.zeros((len(xs), 1), np.int64), np.cumsum(~steps[:, :-1], axis=1)], axis=1)
    wraps = steps[:, 7:8] & (labels == labels[:, 7:8])
    labels = np.where(wraps, 0, labels)
    reach = np.zeros((len(xs), 8), np.bool_)
    for k in (1, 3, 5, 7):  # the four edge neighbours: south, east, north, west
        reach[:, k] = ring_free[:, k] & ~_wall_towards(layout, xs, ys, RING[k])
    highest = np.where(reach, labels, -1).max(axis=1)
    lowest = np.where(reach, labels, 99).min(axis=1)
    joined: npt.NDArray[np.bool_] = reach.any(axis=1) & (highest == lowest)
    return joined


def _wall_towards(
    layout: Layout, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64], step: tuple[int, int]
) -> npt.NDArray[np.bool_]:
    """Whether a wall stands between each cell and its neighbour one `step` away (dx or dy only)."""
    dx, dy = step
    if dx:
        found: npt.NDArray[np.bool_] = layout.walls_v[ys, xs + max(dx, 0)]
    else:
        found = layout.walls_h[ys + max(dy, 0), xs]
    return found


def _step_open(
    layout: Layout, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64], a: tuple[int, int], b: tuple[int, int]
) -> npt.NDArray[np.bool_]:
    """No wall between ring cells a and b (edge neighbours, given as offsets from each cell)."""
    step = (b[0] - a[0], b[1] - a[1])
    return ~_wall_towards(layout, xs + a[0], ys + a[1], step)


# ---------------------------------------------------------------------------------------------
# The feature


def placed_furniture(
    spec: LevelSpec, layout: Layout, taken: BoolArray | None, roofless: BoolArray | None = None
) -> tuple[Placed, BoolArray]:
    """The floor's furniture as placed models (positions in the floor's frame) and its cells."""
    chosen = choose(spec, layout, taken, roofless)
    found = models(spec.cell_size)
    positions = np.stack(
        [(chosen.xs + 0.5) * spec.cell_size, (chosen.ys + 0.5) * spec.cell_size, np.zeros(len(chosen.xs))], axis=1
    )
    cells = np.zeros_like(layout.solid)
    cells[chosen.ys, chosen.xs] = True
    placed = Placed(
        positions.astype(np.float64),
        chosen.models,
        tuple(mesh for _, mesh in found),
        tuple(name for name, _ in found),
        sources(spec.cell_size),
    )
    return placed, cells


def _in_the_open(story: Story, so_far: Features) -> tuple[Placed, BoolArray]:
    """An open cut of the world decides each cell with the world's own cells round the region
    (a ring of one cell): a cell at the cut gets what a neighbouring region, or a walk's chunk,
    gives it, so the world's furniture is the same however it is cut."""
    spec = story.spec
    ox, oy = spec.origin
    ringed = spec.window((ox - 1, oy - 1), spec.width + 2, spec.depth + 2)
    window = Window.of(ringed)
    layout = walled_in(ringed, window.region(window.ground))
    around = [None if cells is None else np.pad(cells, 1) for cells in (so_far.taken, so_far.ceiling_holes)]
    placed, cells = placed_furniture(ringed, layout, *around)  # never in the ring: choose() skips edges
    shifted = placed.positions - np.array([spec.cell_size, spec.cell_size, 0.0])
    return dataclasses.replace(placed, positions=shifted), cells[1:-1, 1:-1]


def gap_mesh(spec: LevelSpec, placed: Placed, window: Window) -> MeshArrays:
    """A dark slot in the ceiling grid over each fallen tile, just below the ceiling, facing down."""
    first = list(MODELS).index(FALLEN) * TURNS
    fallen = (placed.models >= first) & (placed.models < first + TURNS)
    turns = placed.models[fallen] - first
    scale = model_scale(spec.cell_size)
    offsets = [(GAP[0] * scale, GAP[1] * scale)]
    for _ in range(1, TURNS):  # the offset in each quarter turn, as turned() turns the model
        x, y = offsets[-1]
        offsets.append((-y, x))
    middle = placed.positions[fallen, :2] + np.array(offsets)[turns]
    half = GAP_SIDE * scale / 2
    (x0, y0), (x1, y1) = (middle - half).T, (middle + half).T
    faces = level_faces(x0, y0, x1, y1, spec.wall_height - GAP_DROP, False, 0)
    return quad_mesh(faces.corners, faces.uvs, 0, GAP_MATERIALS, window.piece_at(middle[:, 0], middle[:, 1]))


class FurnitureFeature(Feature):
    """The office's furniture and its meeting rooms, planned after the features that cut holes or
    take cells."""

    key = FURNITURE
    solid = (FURNITURE,)

    def shape(self, spec: LevelSpec, layout: Layout) -> Layout:
        return walled_in(spec, layout)

    def on_story(self, story: Story, so_far: Features) -> Features:
        if story.spec.perimeter:  # a closed region: its edge cells stay empty, by the wall
            placed, cells = placed_furniture(story.spec, story.built, so_far.taken, so_far.ceiling_holes)
        else:
            placed, cells = _in_the_open(story, so_far)
        if not len(placed.positions):
            return Features()
        gaps = gap_mesh(story.spec, placed, story.window)
        meshes = {GAPS: gaps} if gaps.face_count else {}
        return Features(occupied=cells, placed={FURNITURE: placed}, meshes=meshes)

    def faces(self, spec: LevelSpec) -> float:
        cells = max(spec.width - 2, 0) * max(spec.depth - 2, 0) * spec.floors / LATTICE**2  # never on the edge
        average = float(np.mean([mesh.face_count for _, mesh in models(spec.cell_size)]))
        # About two in five lattice cells pass the draw and the ring test (measured on Level 4).
        return cells * 0.4 * average


FURNITURE_FEATURE = FurnitureFeature()


# ---------------------------------------------------------------------------------------------
# Windows onto blackness: dark glass on the inner face of a level's closed perimeter

WINDOWS = "windows"
WINDOW_MATERIALS = ("office_window",)
WINDOW_SILL_M, WINDOW_HEAD_M, WINDOW_MULLION_M = 0.9, 2.2, 0.15


class WindowsFeature(Feature):
    """A window in every perimeter wall a cell long, looking out onto nothing. Only a level with a
    closed perimeter has them: an endless world has no outside wall to put them in."""

    key = WINDOWS

    def wanted(self, spec: LevelSpec) -> bool:
        return spec.perimeter

    def on_story(self, story: Story, so_far: Features) -> Features:
        mesh = window_mesh(story.spec, story.built, story.window)
        return Features(meshes={WINDOWS: mesh}) if mesh.face_count else Features()

    def faces(self, spec: LevelSpec) -> float:
        return 2.0 * (spec.width + spec.depth) * spec.floors if spec.perimeter else 0.0


def window_mesh(spec: LevelSpec, layout: Layout, window: Window) -> MeshArrays:
    """A pane in front of each perimeter wall a cell long, beside a walkable cell, facing in."""
    size, inset = spec.cell_size, spec.wall_thickness / 2 + 0.004
    top = min(WINDOW_HEAD_M, spec.door_height - 0.05, spec.wall_height - 0.1)
    quads = []
    w, d = layout.width, layout.depth
    sides = (
        (np.nonzero(layout.walls_h[0] & ~layout.solid[0])[0], lambda k: (k * size, inset, (k + 1) * size, inset)),
        (
            np.nonzero(layout.walls_h[d] & ~layout.solid[d - 1])[0],
            lambda k: ((k + 1) * size, d * size - inset, k * size, d * size - inset),
        ),
        (np.nonzero(layout.walls_v[:, 0] & ~layout.solid[:, 0])[0], lambda k: (inset, (k + 1) * size, inset, k * size)),
        (
            np.nonzero(layout.walls_v[:, w] & ~layout.solid[:, w - 1])[0],
            lambda k: (w * size - inset, k * size, w * size - inset, (k + 1) * size),
        ),
    )
    for cells, edge in sides:
        for k in cells.tolist():
            x0, y0, x1, y1 = edge(k)
            quads.append(_pane(x0, y0, x1, y1, top))
    if not quads:
        return quad_mesh(np.zeros((0, 4, 3)), np.zeros((0, 4, 2)), 0, WINDOW_MATERIALS)
    corners = np.asarray(quads, np.float64)
    uvs = np.stack(
        [np.hypot(corners[..., 0] - corners[:, :1, 0], corners[..., 1] - corners[:, :1, 1]), corners[..., 2]], -1
    )
    middle = corners.mean(axis=1)
    return quad_mesh(corners, uvs, 0, WINDOW_MATERIALS, window.piece_at(middle[:, 0], middle[:, 1]))


def _pane(x0: float, y0: float, x1: float, y1: float, top: float) -> list[tuple[float, float, float]]:
    """An upright quad from (x0, y0) to (x1, y1), shortened by a mullion at each end, facing left
    of that direction (into the room)."""
    length = float(np.hypot(x1 - x0, y1 - y0))
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    a = (x0 + ux * WINDOW_MULLION_M, y0 + uy * WINDOW_MULLION_M)
    b = (x1 - ux * WINDOW_MULLION_M, y1 - uy * WINDOW_MULLION_M)
    return [(b[0], b[1], WINDOW_SILL_M), (a[0], a[1], WINDOW_SILL_M), (a[0], a[1], top), (b[0], b[1], top)]


WINDOWS_FEATURE = WindowsFeature()
