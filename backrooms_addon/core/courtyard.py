"""The Courtyard of Windows (Level 188): one open court, walls full of windows onto small lit rooms.

What is built where, and why:

- The layout is the region open from wall to wall: `courtyard_layout` drops every wall and pillar,
  the region's outer edges included. The enclosing walls need openings for the windows, which
  wall_mesh (solid walls only) cannot make, so they are built here, as the "court_walls" feature
  mesh, where wall_mesh would have put a closed perimeter: the court-side wall is
  spec.wall_thickness thick and centred on the region's outer edge, spec.wall_height tall.
- Behind that wall stands the building the windows belong to: a solid ring (the wall, a room's
  depth and BACK_WALL more) whose faces are the court-side face less the window openings, the
  openings' reveals (the faces inside the wall's thickness), the outer face, a flat roof and, at
  the corners, the ends. The rooms are hollows in it, so from above or from outside the level
  reads as a block of houses round a court, not as boxes floating behind a wall.
- spec.perimeter keeps its meaning, a closed region: the court is always closed, by this
  building. The Level 188 preset therefore sets perimeter=False, so plan.walled adds no plain
  walls. A spec that keeps perimeter=True gets plain walls from wall_mesh on the outer edges;
  no building is then put on a side already closed, so no two walls ever stand in one place
  (but that court has no windows).
- "windows": identical windows in rows and columns on the court-side face of every side, BAY
  apart along the wall and one row per STOREY up its height: a frame, a mullion and a transom, a
  glass pane recessed into the wall, and a sill ledge. Placement depends only on the region's
  size and the spec (never on the seed), so every seed gets the same windows.
- "rooms": behind each window, beyond the wall's outer face (d = wall_thickness), a small room
  (ROOM_W x ROOM_D x ROOM_H) with its floor at its storey's height, as faces looking into it:
  floor, walls, a ceiling with a lit panel, and a front wall open only where the window is.

Every side is first built in its own frame (s along the wall, left to right seen from the court;
d into the wall, 0 at the inner face; z up), then turned into place. The frames are proper
rotations, so one set of templates serves all four sides and faces keep facing the right way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .features import EYE_HEIGHT, Feature, Features, Spawn, Story
from .geometry import MeshArrays, quad_mesh
from .layout import Layout
from .spec import LevelSpec
from .world import Window

F64 = npt.NDArray[np.float64]

BAY = 3.0  # metres between neighbouring windows along a wall
STOREY = 3.0  # metres between rows of windows
TOP_MARGIN = 0.2  # wall left above the top row's rooms
ROOM_W, ROOM_D, ROOM_H = 2.4, 2.4, 2.6  # a room behind a window: width along the wall, depth, height
WINDOW_W, WINDOW_H, SILL = 1.2, 1.5, 0.9  # the opening, and its sill above the room's floor
FRAME, FRAME_DEPTH = 0.07, 0.05  # width of the frame seen from the court, and its depth
BAR = 0.045  # width of the mullion and the transom
TRANSOM = 0.62  # the transom's height, as a share of the opening's
LEDGE, LEDGE_OVERHANG = 0.06, 0.05  # the sill ledge: how far it stands out and past the opening
LIGHT_W, LIGHT_D = 1.2, 0.6  # the ceiling panel, along the wall and in depth
BACK_WALL = 0.3  # the building's wall behind the rooms
FACES_PER_WINDOW = 42  # the cost estimate's share per window (core/cost.py)

WALL_MATERIALS = ("courtyard_wall", "courtyard_plinth", "courtyard_roof")
WINDOW_MATERIALS = ("window_frame", "window_glass")
ROOM_MATERIALS = ("room_wall", "room_floor", "room_ceiling", "room_light")
WALL, PLINTH, ROOF = 0, 1, 2
FRAME_M, GLASS = 0, 1
ROOM_WALL, ROOM_FLOOR, ROOM_CEILING, ROOM_LIGHT = 0, 1, 2, 3

# Quads in a side's frame: (count, 4, 3) corners and one material index per quad.
Quads = tuple[F64, npt.NDArray[np.int32]]
Span = tuple[F64 | float, F64 | float]  # from, to along one axis: numbers or arrays of them


class CourtFeature(Feature):
    """The Courtyard of Windows: the open court, its building, the spawn facing the windows."""

    key = "court"
    solid = ("court_walls", "windows")  # the rooms are out of reach behind the glass

    def shape(self, spec: LevelSpec, layout: Layout) -> Layout:
        return courtyard_layout(spec, layout)

    def on_story(self, story: Story, so_far: Features) -> Features:
        return courtyard_features(story.spec, story.built, story.window)

    def spawn(self, spec: LevelSpec) -> Spawn:
        """The middle of the west side, facing the far wall of windows."""
        width_m = spec.width * spec.cell_size
        return Spawn((0.5 * spec.cell_size, spec.depth * spec.cell_size / 2, EYE_HEIGHT), 0.0, width_m)

    def faces(self, spec: LevelSpec) -> float:
        """About FACES_PER_WINDOW faces per window, a window every BAY along the walls and one
        per STOREY."""
        perimeter_m = 2 * (spec.width + spec.depth) * spec.cell_size
        return FACES_PER_WINDOW * (perimeter_m / BAY) * (spec.wall_height // STOREY) * spec.floors


COURT = CourtFeature()


def courtyard_layout(spec: LevelSpec, layout: Layout) -> Layout:
    """The court: the region open from wall to wall, without walls (outer edges included) or pillars."""
    return Layout(
        np.zeros_like(layout.walls_h), np.zeros_like(layout.walls_v), np.zeros_like(layout.solid), layout.origin
    )


def courtyard_features(spec: LevelSpec, layout: Layout, window: Window) -> Features:
    """The enclosing walls with their openings, the windows in them and the rooms behind them."""
    parts: dict[str, list[tuple[F64, npt.NDArray[np.int32]]]] = {"court_walls": [], "windows": [], "rooms": []}
    for side in court_sides(spec, layout):
        for kind, (corners, material) in _side_parts(spec, side).items():
            parts[kind].append((side.to_world(corners), material))
    materials = {"court_walls": WALL_MATERIALS, "windows": WINDOW_MATERIALS, "rooms": ROOM_MATERIALS}
    meshes = {kind: _mesh(found, materials[kind], window) for kind, found in parts.items() if found}
    return Features(meshes={kind: mesh for kind, mesh in meshes.items() if mesh.face_count})


@dataclass(frozen=True)
class Side:
    """One enclosing wall: where its inner face starts (at s = 0), its direction and length."""

    base: tuple[float, float]  # the inner face's left end seen from the court, metres
    inward: tuple[float, float]  # unit normal of the inner face, into the court
    length: float  # of the inner face, corner to corner
    thickness: float
    owns_corners: bool  # the south and north walls run through the corners; west and east stop at them

    def to_world(self, local: F64) -> F64:
        """Points (..., 3) in this side's (s, d, z) frame, in metres of the level."""
        nx, ny = self.inward
        along = np.array([-ny, nx, 0.0])  # left to right seen from the court
        out = np.array([-nx, -ny, 0.0])  # into the wall and beyond, away from the court
        rotation = np.stack([along, out, np.array([0.0, 0.0, 1.0])])  # rows: where s, d and z go
        world: F64 = local @ rotation + np.array([*self.base, 0.0])
        return world


def court_sides(spec: LevelSpec, layout: Layout) -> list[Side]:
    """The enclosing walls to build: one on each side of the region whose outer edges are open."""
    t = spec.wall_thickness
    w, d = layout.width * spec.cell_size, layout.depth * spec.cell_size
    h = t / 2
    candidates = [
        (layout.walls_h[0], Side((w - h, h), (0.0, 1.0), w - t, t, True)),  # south
        (layout.walls_h[-1], Side((h, d - h), (0.0, -1.0), w - t, t, True)),  # north
        (layout.walls_v[:, 0], Side((h, h), (1.0, 0.0), d - t, t, False)),  # west
        (layout.walls_v[:, -1], Side((w - h, d - h), (-1.0, 0.0), d - t, t, False)),  # east
    ]
    return [side for walled, side in candidates if not walled.any() and side.length > 0]


def window_columns(length: float) -> F64:
    """Centres of the windows along an inner face of `length` metres: BAY apart, centred, and
    far enough from the corners that the rooms behind two walls never meet."""
    count = int(np.floor((length - ROOM_W) / BAY + 1e-9)) + 1 if length >= ROOM_W else 0
    centres: F64 = length / 2 + (np.arange(count) - (count - 1) / 2) * BAY
    return centres


def window_rows(wall_height: float) -> F64:
    """The rooms' floor heights: one storey each, from the ground up, as many as the wall holds."""
    count = int(np.floor((wall_height - TOP_MARGIN - ROOM_H) / STOREY + 1e-9)) + 1
    rows: F64 = np.arange(max(count, 0)) * STOREY
    return rows


def _side_parts(spec: LevelSpec, side: Side) -> dict[str, Quads]:
    """Everything of one side, in the side's frame."""
    columns, rows = window_columns(side.length), window_rows(spec.wall_height)
    t = side.thickness
    # One window and one room at s = 0 on a floor at z = 0, copied to every place.
    offsets = np.stack(np.broadcast_arrays(columns[:, None], 0.0, rows[None, :]), -1).reshape(-1, 1, 1, 3)
    walls = _join(_wall_faces(spec, side, columns, rows), _tiled(_reveals(t), offsets))
    return {"court_walls": walls, "windows": _tiled(_window(t), offsets), "rooms": _tiled(_room(t), offsets)}


def _tiled(template: Quads, offsets: F64) -> Quads:
    corners, material = template
    placed = (corners[None] + offsets).reshape(-1, 4, 3)
    return placed, np.tile(material, len(offsets))


def _join(*parts: Quads) -> Quads:
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]).astype(np.int32)


# ---------------------------------------------------------------------------------------------
# Quads in a side's frame. A quad lies in a plane s, d or z = value and faces + or - that axis.

_OTHER = {0: (1, 2), 1: (0, 2), 2: (0, 1)}  # the plane's two axes; the first is the bottom edge's
_RIGHT_HANDED = {0: True, 1: False, 2: True}  # whether (first, second, normal) is right-handed


def _quads(axis: int, facing: int, at: F64 | float, a: Span, b: Span, material: int) -> Quads:
    """Rectangles at `axis` = at, spanning a (first other axis) and b (second), facing +/- axis.

    Corners run counter-clockwise seen from the front, bottom edge first, so the normal is the
    facing and UVs can follow the first and last edges.
    """
    at_, a0, a1, b0, b1 = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, np.float64)) for v in (at, *a, *b)))
    i, j = _OTHER[axis]
    plain = _RIGHT_HANDED[axis] == (facing > 0)
    first = (a0, a1, a1, a0) if plain else (a1, a0, a0, a1)
    corners = np.empty((len(at_), 4, 3))
    corners[:, :, axis] = at_[:, None]
    corners[:, :, i] = np.stack(first, -1)
    corners[:, :, j] = np.stack((b0, b0, b1, b1), -1)
    return corners, np.full(len(at_), material, np.int32)


def _box_sides(s: tuple[float, float], d: tuple[float, float], z: tuple[float, float], material: int,
               skip: str = "") -> list[Quads]:  # fmt: skip
    """The outward faces of an axis-aligned box, less those named in `skip` (s-, s+, d-, d+, z-, z+)."""
    faces = {
        "s-": _quads(0, -1, s[0], d, z, material),
        "s+": _quads(0, 1, s[1], d, z, material),
        "d-": _quads(1, -1, d[0], s, z, material),
        "d+": _quads(1, 1, d[1], s, z, material),
        "z-": _quads(2, -1, z[0], s, d, material),
        "z+": _quads(2, 1, z[1], s, d, material),
    }
    return [quads for name, quads in faces.items() if name not in skip.split()]


# ---------------------------------------------------------------------------------------------
# The enclosing wall


def _wall_faces(spec: LevelSpec, side: Side, columns: F64, rows: F64) -> Quads:
    """The building's faces: the inner face (less the openings), the outer face, roof and ends."""
    height, length, depth = spec.wall_height, side.length, building_depth(side.thickness)
    start, stop = (-depth, length + depth) if side.owns_corners else (0.0, length)
    plinth = spec.baseboard_height
    windows = [(z + SILL, z + SILL + WINDOW_H) for z in rows.tolist()]
    inner = _holed(0.0, length, height, columns, WINDOW_W, windows)
    outer = _holed(start, stop, height, columns, 0.0, [])
    parts = [
        *_banded(inner, plinth, lambda s, z, m: _quads(1, -1, 0.0, s, z, m)),
        *_banded(outer, plinth, lambda s, z, m: _quads(1, 1, depth, s, z, m)),
        _quads(2, 1, height, (outer[:, 0], outer[:, 1]), (0.0, depth), ROOF),
    ]
    if side.owns_corners:  # the ends of the sides that run through the corners
        full = np.array([[0.0, 0.0, 0.0, height]])  # only its heights count
        parts += _banded(full, plinth, lambda _, z, m: _quads(0, -1, start, (0.0, depth), z, m))
        parts += _banded(full, plinth, lambda _, z, m: _quads(0, 1, stop, (0.0, depth), z, m))
    return _join(*parts)


def building_depth(thickness: float) -> float:
    """How far the building behind the court's walls reaches: the wall, a room and a wall behind it."""
    return thickness + ROOM_D + BACK_WALL


def _holed(start: float, stop: float, height: float, columns: F64, hole_w: float,
           spans: list[tuple[float, float]]) -> F64:  # fmt: skip
    """Rectangles (n, 4) of s0, s1, z0, z1 covering [start, stop] x [0, height] less a hole of
    hole_w at each column for each span of heights; in bays split halfway between columns, so a
    face is never longer than a bay (lightmaps keep their detail)."""
    middles = (columns[1:] + columns[:-1]) / 2
    edges = np.concatenate([[start], middles, [stop]])
    if hole_w <= 0 or not spans or len(columns) == 0:
        return np.column_stack([edges[:-1], edges[1:], np.zeros(len(edges) - 1), np.full(len(edges) - 1, height)])
    left, right = columns - hole_w / 2, columns + hole_w / 2
    rects = [
        np.column_stack([edges[:-1], left, np.zeros_like(left), np.full_like(left, height)]),
        np.column_stack([right, edges[1:], np.zeros_like(left), np.full_like(left, height)]),
        *(
            np.column_stack([left, right, np.full_like(left, z0), np.full_like(left, z1)])
            for z0, z1 in _gaps(height, spans)
        ),
    ]
    found = np.concatenate(rects)
    kept: F64 = found[(found[:, 1] - found[:, 0] > 1e-6) & (found[:, 3] - found[:, 2] > 1e-6)]
    return kept


def _gaps(height: float, spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The heights from 0 to `height` not in any span (spans sorted, apart, inside the wall)."""
    bounds = [0.0, *(z for span in spans for z in span), height]
    return [(z0, z1) for z0, z1 in zip(bounds[::2], bounds[1::2], strict=True) if z1 > z0]


def _banded(rects: F64, plinth: float, make: Callable[[Span, Span, int], Quads]) -> list[Quads]:
    """The rectangles split at plinth height: plinth below, plain wall above."""
    s = (rects[:, 0], rects[:, 1])
    low = rects[:, 2] < plinth - 1e-9
    high = rects[:, 3] > plinth + 1e-9
    parts: list[Quads] = []
    if low.any():
        top = np.minimum(rects[low, 3], plinth)
        parts.append(make((s[0][low], s[1][low]), (rects[low, 2], top), PLINTH))
    if high.any():
        bottom = np.maximum(rects[high, 2], plinth)
        parts.append(make((s[0][high], s[1][high]), (bottom, rects[high, 3]), WALL))
    return parts


def _reveals(t: float) -> Quads:
    """The opening's faces inside the wall's thickness, looking into the opening (window at s = 0)."""
    s0, s1, z0, z1 = -WINDOW_W / 2, WINDOW_W / 2, SILL, SILL + WINDOW_H
    return _join(
        _quads(2, 1, z0, (s0, s1), (0.0, t), WALL),
        _quads(2, -1, z1, (s0, s1), (0.0, t), WALL),
        _quads(0, 1, s0, (0.0, t), (z0, z1), WALL),
        _quads(0, -1, s1, (0.0, t), (z0, z1), WALL),
    )


# ---------------------------------------------------------------------------------------------
# A window and the room behind it, at s = 0 on a floor at z = 0


def _window(t: float) -> Quads:
    """Glass in the middle of the wall, a frame in front of it, a mullion and transom, a sill ledge."""
    glass = t / 2
    front = glass - min(FRAME_DEPTH, glass)
    s0, s1, z0, z1 = -WINDOW_W / 2, WINDOW_W / 2, SILL, SILL + WINDOW_H
    i0, i1, k0, k1 = s0 + FRAME, s1 - FRAME, z0 + FRAME, z1 - FRAME  # inside the frame
    transom = z0 + TRANSOM * WINDOW_H
    t0, t1, m0, m1 = transom - BAR / 2, transom + BAR / 2, -BAR / 2, BAR / 2
    parts = [
        _quads(1, -1, glass, (s0, s1), (z0, z1), GLASS),
        # The frame's face: bottom and top rails full width, stiles between them.
        _quads(1, -1, front, (s0, s1), (z0, k0), FRAME_M),
        _quads(1, -1, front, (s0, s1), (k1, z1), FRAME_M),
        _quads(1, -1, front, (s0, i0), (k0, k1), FRAME_M),
        _quads(1, -1, front, (i1, s1), (k0, k1), FRAME_M),
        # The frame's inner sides, from its face back to the glass.
        _quads(2, 1, k0, (i0, i1), (front, glass), FRAME_M),
        _quads(2, -1, k1, (i0, i1), (front, glass), FRAME_M),
        _quads(0, 1, i0, (front, glass), (k0, k1), FRAME_M),
        _quads(0, -1, i1, (front, glass), (k0, k1), FRAME_M),
        # The mullion, split where the transom meets it, and the transom's two halves.
        _quads(1, -1, front, (m0, m1), (k0, k1), FRAME_M),
        _quads(0, -1, m0, (front, glass), (np.array([k0, t1]), np.array([t0, k1])), FRAME_M),
        _quads(0, 1, m1, (front, glass), (np.array([k0, t1]), np.array([t0, k1])), FRAME_M),
        *_box_sides((i0, m0), (front, glass), (t0, t1), FRAME_M, skip="s- s+ d+"),
        *_box_sides((m1, i1), (front, glass), (t0, t1), FRAME_M, skip="s- s+ d+"),
        # The ledge under the opening, standing out of the wall into the court.
        *_box_sides((s0 - LEDGE_OVERHANG, s1 + LEDGE_OVERHANG), (-LEDGE, 0.0), (z0 - LEDGE, z0), FRAME_M, skip="d+"),
    ]
    return _join(*parts)


def _room(t: float) -> Quads:
    """A room behind the wall's outer face (d = t), its faces looking in; the front wall is open
    where the window is, and the ceiling holds a lit panel."""
    s0, s1, d0, d1, top = -ROOM_W / 2, ROOM_W / 2, t, t + ROOM_D, ROOM_H
    w0, w1, z0, z1 = -WINDOW_W / 2, WINDOW_W / 2, SILL, SILL + WINDOW_H
    l0, l1 = -LIGHT_W / 2, LIGHT_W / 2
    lc = (d0 + d1) / 2
    e0, e1 = lc - LIGHT_D / 2, lc + LIGHT_D / 2
    return _join(
        _quads(2, 1, 0.0, (s0, s1), (d0, d1), ROOM_FLOOR),
        _quads(1, -1, d1, (s0, s1), (0.0, top), ROOM_WALL),
        _quads(0, 1, s0, (d0, d1), (0.0, top), ROOM_WALL),
        _quads(0, -1, s1, (d0, d1), (0.0, top), ROOM_WALL),
        # The front wall around the window.
        _quads(1, 1, d0, (s0, s1), (0.0, z0), ROOM_WALL),
        _quads(1, 1, d0, (s0, s1), (z1, top), ROOM_WALL),
        _quads(1, 1, d0, (s0, w0), (z0, z1), ROOM_WALL),
        _quads(1, 1, d0, (w1, s1), (z0, z1), ROOM_WALL),
        # The ceiling around the panel, and the panel.
        _quads(2, -1, top, (s0, s1), (d0, e0), ROOM_CEILING),
        _quads(2, -1, top, (s0, s1), (e1, d1), ROOM_CEILING),
        _quads(2, -1, top, (s0, l0), (e0, e1), ROOM_CEILING),
        _quads(2, -1, top, (l1, s1), (e0, e1), ROOM_CEILING),
        _quads(2, -1, top, (l0, l1), (e0, e1), ROOM_LIGHT),
    )


# ---------------------------------------------------------------------------------------------
# Into a mesh


def _mesh(found: list[Quads], materials: tuple[str, ...], window: Window) -> MeshArrays:
    """One mesh from the parts of every side, with metre UVs and each face in the piece of its middle."""
    corners = np.concatenate([c for c, _ in found])
    material = np.concatenate([m for _, m in found])
    middle = corners.mean(axis=1)
    piece = window.piece_of_face(middle[:, 0], middle[:, 1])
    return quad_mesh(corners, _uvs(corners), material, materials, piece)


def _uvs(corners: F64) -> F64:
    """Metres along each face's bottom edge and up its side, from the world's axes, so textures
    line up across faces of one wall."""
    u = corners[:, 1] - corners[:, 0]
    v = corners[:, 3] - corners[:, 0]
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    uvs: F64 = np.stack([np.einsum("nkc,nc->nk", corners, u), np.einsum("nkc,nc->nk", corners, v)], -1)
    return uvs
