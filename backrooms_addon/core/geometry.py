"""Geometry: a layout as quad meshes (vertices, faces, UVs in metres, material indices, pieces).

Walls are built from the outline of the wall solid rather than box by box. The plan is cut into a
fine grid whose columns alternate between wall thickness (around each grid line) and cell
interior, so every post, wall strip and doorway header is a whole fine cell. The wall faces are
the fine-grid edges between solid and open cells, merged into long runs: no face is hidden inside
a wall, no two faces overlap, corners close exactly, and every run ends where the outline turns,
so faces meet vertex to vertex. Two layers of that grid, below and above door height, give
doorways their headers. Runs also break on piece borders so each face belongs to one piece.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .layout import Layout

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]

PILLAR_SHARE = 0.4  # a pillar's side as a share of the cell size, up to PILLAR_MAX_M
PILLAR_MAX_M = 0.9
WALL_MATERIALS = ("wallpaper", "baseboard")
WALLPAPER, BASEBOARD = 0, 1
BLOCK = 1 << 14  # faces whose corners are written together
# Quads whose corner indices and edges are views of shared arrays (768 KiB in all, made once):
# a mesh of up to this many faces, as a piece's (what Blender receives) usually is (about 4,500
# walls at the default piece size), needs no index arrays of its own.
SHARED_QUADS = 1 << 14


@dataclass(frozen=True)
class MeshArrays:
    """A quad mesh as flat arrays, ready for foreach_set.

    Each face owns its four vertices (flat-shaded architecture needs no sharing), so `faces` is
    arange(4 * n).reshape(n, 4) and both UV sets have one row per loop. `pieces` says which
    streaming piece (object) each face belongs to.
    """

    vertices: FloatArray  # (4n, 3) metres
    faces: IntArray  # (n, 4) vertex indices, counter-clockwise seen from the front
    uvs: FloatArray  # (4n, 2) metres
    material_indices: IntArray  # (n,)
    materials: tuple[str, ...]  # recipe names, by material index
    pieces: IntArray = field(default_factory=lambda: np.zeros(0, np.int32))  # (n,)
    lightmap: FloatArray | None = None  # (4n, 2) in [0, 1], no overlaps within a piece

    @property
    def face_count(self) -> int:
        return int(self.faces.shape[0])

    def normals(self) -> FloatArray:
        """Unit normal of each face, from its first three corners."""
        quads = self.vertices[self.faces]
        n = np.cross(quads[:, 1] - quads[:, 0], quads[:, 2] - quads[:, 1])
        unit: FloatArray = (n / np.linalg.norm(n, axis=1, keepdims=True)).astype(np.float32)
        return unit

    def areas(self) -> FloatArray:
        """Area of each (planar) quad."""
        q = self.vertices[self.faces].astype(np.float64)
        cross = np.cross(q[:, 2] - q[:, 0], q[:, 3] - q[:, 1])
        area: FloatArray = (0.5 * np.linalg.norm(cross, axis=1)).astype(np.float32)
        return area

    def split(self) -> list[tuple[int, MeshArrays]]:
        """(piece index, the piece's faces as a mesh of its own) for every piece that has faces."""
        if not self.face_count:
            return []
        mesh = self.by_piece()
        starts = np.flatnonzero(mesh.pieces[1:] != mesh.pieces[:-1]) + 1
        bounds = zip(np.append(0, starts).tolist(), np.append(starts, len(mesh.pieces)).tolist(), strict=True)
        return [(int(mesh.pieces[start]), mesh.between(start, stop)) for start, stop in bounds]

    def by_piece(self) -> MeshArrays:
        """The same faces grouped by piece, each piece's in their order: itself when they are."""
        order = self.piece_order()
        return self if order is None else self.taken(order)

    def piece_order(self) -> npt.NDArray[np.intp] | None:
        """The face order that groups the faces by piece (see by_piece); None when they are."""
        if self.face_count < 2 or bool((self.pieces[1:] >= self.pieces[:-1]).all()):
            return None
        return piece_order(self.pieces)

    def taken(self, faces: npt.NDArray[np.intp]) -> MeshArrays:
        """The faces at these indices, in this order, as a mesh of their own (copies)."""
        return replace(
            self,
            vertices=_take_faces(self.vertices, faces),
            faces=quad_faces(len(faces)),
            uvs=_take_faces(self.uvs, faces),
            material_indices=self.material_indices[faces],
            pieces=self.pieces[faces],
            lightmap=None if self.lightmap is None else _take_faces(self.lightmap, faces),
        )

    def between(self, first: int, stop: int) -> MeshArrays:
        """Faces first .. stop - 1 as a mesh of their own (views, not copies)."""
        count = stop - first
        return MeshArrays(
            vertices=self.vertices[4 * first : 4 * stop],
            faces=quad_faces(count),
            uvs=self.uvs[4 * first : 4 * stop],
            material_indices=self.material_indices[first:stop],
            materials=self.materials,
            pieces=self.pieces[first:stop],
            lightmap=None if self.lightmap is None else self.lightmap[4 * first : 4 * stop],
        )


def read_only(mesh: MeshArrays) -> MeshArrays:
    """A copy of the mesh whose arrays cannot be changed in place: for a mesh that plans share."""
    names = ("vertices", "faces", "uvs", "material_indices", "pieces", "lightmap")
    arrays = {name: getattr(mesh, name) for name in names}
    for name, array in arrays.items():
        if array is not None:
            arrays[name] = array = array.copy()
            array.flags.writeable = False
    return replace(mesh, **arrays)


def quad_faces(count: int) -> IntArray:
    """The faces of `count` quads that own their vertices, in order: arange(4 * count) as rows of
    four, a read-only view of one shared array where it fits (MeshArrays' faces all follow it)."""
    if count <= SHARED_QUADS:
        return _shared_quads()[0][:count]
    return np.arange(4 * count, dtype=np.int32).reshape(count, 4)


def quad_edges(faces: IntArray) -> IntArray:
    """The (4n, 2) vertex pairs of each face's edges, in corner order: from every corner to the
    next round its face (a view of a shared array for quad_faces' own faces)."""
    shared_faces, shared_edges = _shared_quads()
    if _address(faces) == _address(shared_faces) and faces.strides == shared_faces.strides and faces.shape[1:] == (4,):
        return shared_edges[: 4 * len(faces)]
    edges: IntArray = faces[:, _EDGE_CORNERS].reshape(-1, 2)
    return edges


def quad_loop_starts(count: int) -> IntArray:
    """Where each of `count` quads' corners start, 0, 4, 8, ...: as quad_faces, a read-only view
    of one shared array where it fits."""
    if count <= SHARED_QUADS:
        return _shared_loop_starts()[:count]
    return np.arange(0, 4 * count, 4, dtype=np.int32)


_EDGE_CORNERS = np.array([0, 1, 1, 2, 2, 3, 3, 0])  # a quad's edges as pairs of its corners


def _address(array: npt.NDArray[np.generic]) -> int:
    address: int = array.__array_interface__["data"][0]
    return address


@functools.cache
def _shared_quads() -> tuple[IntArray, IntArray]:
    """quad_faces(SHARED_QUADS) and their edges, read-only, made on first use (two threads at once
    may each make them: faces from the copy not kept only have their edges found by quad_edges)."""
    corners = np.arange(4 * SHARED_QUADS, dtype=np.int32)
    faces = corners.reshape(SHARED_QUADS, 4)
    edges = np.empty((4 * SHARED_QUADS, 2), np.int32)
    edges[:, 0] = corners
    edges[:, 1] = corners + 1
    edges[3::4, 1] -= 4  # a face's last corner joins its first
    faces.flags.writeable = edges.flags.writeable = False
    return faces, edges


@functools.cache
def _shared_loop_starts() -> IntArray:
    starts = np.arange(0, 4 * SHARED_QUADS, 4, dtype=np.int32)
    starts.flags.writeable = False
    return starts


def piece_order(pieces: IntArray) -> npt.NDArray[np.intp]:
    """Face order by piece, faces of a piece in their order (a stable sort)."""
    if len(pieces) and pieces.min() >= 0 and pieces.max() < 1 << 16:
        # numpy radix-sorts keys of 16 bits or fewer, and merge-sorts wider ones: far slower.
        return np.argsort(pieces.astype(np.uint16), kind="stable")
    return np.argsort(pieces, kind="stable")


def _take_faces(loops: FloatArray, order: npt.NDArray[np.intp]) -> FloatArray:
    """A per-loop array (four rows a face) with the faces at `order`. Each face's rows are taken
    as one row, far cheaper than gathering loop by loop."""
    faces = loops.reshape(-1, 4 * loops.shape[1])
    taken: FloatArray = np.take(faces, order, axis=0).reshape(-1, loops.shape[1])
    return taken


@dataclass(frozen=True)
class WallStyle:
    """How walls are built, in metres."""

    cell_size: float
    height: float
    thickness: float
    baseboard: float = 0.1  # height of the baseboard band; 0 for none
    door_height: float | None = 2.1  # doorway headers from here up; None for none


@dataclass(frozen=True)
class Pieces:
    """The level cut into square pieces of `cells` cells, one object per piece and kind."""

    cells: int
    columns: int  # pieces along x
    rows: int  # pieces along y

    @classmethod
    def covering(cls, width: int, depth: int, cells: int) -> Pieces:
        return cls(cells, -(-width // cells), -(-depth // cells))

    @property
    def count(self) -> int:
        return self.columns * self.rows

    def at(self, x: F64, y: F64, cell_size: float) -> IntArray:
        """The piece holding each point (metres); points outside go to the nearest piece."""
        size = self.cells * cell_size
        column = np.clip(np.floor(x / size), 0, self.columns - 1)
        row = np.clip(np.floor(y / size), 0, self.rows - 1)
        index: IntArray = (row * self.columns + column).astype(np.int32)
        return index

    def of_points(self, x: F64, y: F64, cell_size: float) -> IntArray:
        """The piece of each face (or fixture) from its middle (metres)."""
        # A quarter cell east and north of a wall face's middle is always in the face's piece:
        # piece borders run along the west and south sides of posts, and faces stop there.
        return self.at(x + cell_size / 4, y + cell_size / 4, cell_size)

    def of_cells(self, xs: npt.NDArray[np.int64], ys: npt.NDArray[np.int64]) -> IntArray:
        """The piece each cell belongs to."""
        column = np.clip(xs // self.cells, 0, self.columns - 1)
        row = np.clip(ys // self.cells, 0, self.rows - 1)
        index: IntArray = (row * self.columns + column).astype(np.int32)
        return index


def quad_mesh(
    corners: F64 | FloatArray,
    uvs: F64 | FloatArray,
    material_index: int | npt.NDArray[np.int32],
    materials: tuple[str, ...],
    pieces: npt.NDArray[np.int32] | None = None,
) -> MeshArrays:
    """Pack (n, 4, 3) quad corners and (n, 4, 2) UVs into MeshArrays."""
    count = corners.shape[0]
    indices = np.broadcast_to(np.asarray(material_index, np.int32), (count,))
    return MeshArrays(
        vertices=np.ascontiguousarray(corners.reshape(-1, 3), np.float32),
        faces=quad_faces(count),
        uvs=np.ascontiguousarray(uvs.reshape(-1, 2), np.float32),
        material_indices=np.ascontiguousarray(indices),
        materials=materials,
        pieces=np.zeros(count, np.int32) if pieces is None else np.ascontiguousarray(pieces, np.int32),
    )


def concat_meshes(*meshes: MeshArrays) -> MeshArrays:
    """One mesh from several that share their material list."""
    materials = meshes[0].materials
    assert all(mesh.materials == materials for mesh in meshes), "meshes must share materials"
    count = sum(mesh.face_count for mesh in meshes)
    assert all(mesh.lightmap is None for mesh in meshes), "lightmaps are packed after concatenating"
    return MeshArrays(
        vertices=np.concatenate([mesh.vertices for mesh in meshes]),
        faces=quad_faces(count),
        uvs=np.concatenate([mesh.uvs for mesh in meshes]),
        material_indices=np.concatenate([mesh.material_indices for mesh in meshes]),
        materials=materials,
        pieces=np.concatenate([mesh.pieces for mesh in meshes]),
    )


# ---------------------------------------------------------------------------------------------
# Walls


def wall_mesh(layout: Layout, style: WallStyle, pieces: Pieces) -> MeshArrays:
    """Walls, doorway headers and their soffits, and pillars, with a baseboard band."""
    grid = WallGrid.of(layout, style, pieces)
    low, high, xs, ys = grid.low, grid.high, grid.xs, grid.ys
    parts = [
        *_outline_faces(low, high, xs, ys, grid.y_breaks, style, along_x=False),
        *_outline_faces(low.T, high.T, ys, xs, grid.x_breaks, style, along_x=True),
        _made(_soffits(low, high, xs, ys, style)),
        *(_made(faces) for faces in _pillars(layout.solid, style)),
    ]
    return _walls_mesh(parts, pieces, style)


def wall_bands(layout: Layout, style: WallStyle, pieces: Pieces) -> Iterator[MeshArrays]:
    """wall_mesh(...).by_piece() a row of pieces at a time, in piece order, each row made on its
    own: the first is ready after a row's work, not the whole level's."""
    grid = WallGrid.of(layout, style, pieces)
    for row in range(pieces.rows):
        yield grid.row_of_pieces(row)


@dataclass(frozen=True)
class WallGrid:
    """What the walls are made from: the fine grid's solids below and above door height, its
    vertex lines, and where pieces begin along them."""

    layout: Layout
    style: WallStyle
    pieces: Pieces
    low: BoolArray
    high: BoolArray
    xs: F64
    ys: F64
    x_breaks: BoolArray
    y_breaks: BoolArray

    @classmethod
    def of(cls, layout: Layout, style: WallStyle, pieces: Pieces) -> WallGrid:
        low, high = fine_solids(layout, with_headers=style.door_height is not None)
        xs, ys = _fine_vertices(layout.width, style), _fine_vertices(layout.depth, style)
        # Piece borders run through fine vertices 2 * k * cells (the west or south side of a post).
        breaks = _piece_breaks(len(xs), pieces.cells), _piece_breaks(len(ys), pieces.cells)
        return cls(layout, style, pieces, low, high, xs, ys, *breaks)

    def row_of_pieces(self, row: int) -> MeshArrays:
        """The walls of one row of pieces, in piece order: wall_mesh's faces there, the same.

        Made from the fine rows and lines of that row and one more on each side: a face on the
        border goes to whichever row its middle falls in, as in wall_mesh, and a run the margin
        cuts short falls outside the row (runs along y break at the border), so it is dropped."""
        style, cells, fine = self.style, self.pieces.cells, len(self.ys) - 1  # fine rows: 2 * depth + 1
        first, stop = 2 * row * cells, 2 * (row + 1) * cells
        f0, f1 = max(first - 1, 0), min(stop + 2, fine)  # fine rows (runs along y)
        j0, j1 = max(first - 1, 0), min(stop + 2, fine + 1)  # vertex lines along x
        a, b = max(j0 - 1, 0), min(j1, fine)  # the fine rows either side of those lines
        c0, c1 = max(row * cells - 1, 0), min((row + 1) * cells + 1, self.layout.depth)  # cells
        rows_y, lines = slice(f0, f1), slice(j0 - a, j1 - a)
        parts = [
            *_outline_faces(
                self.low[rows_y], self.high[rows_y], self.xs, self.ys[f0 : f1 + 1], self.y_breaks[f0 : f1 + 1],
                style, along_x=False,
            ),
            *_outline_faces(
                self.low[a:b].T, self.high[a:b].T, self.ys[a : b + 1], self.xs, self.x_breaks, style,
                along_x=True, lines=lines,
            ),
            _made(_soffits(self.low[rows_y], self.high[rows_y], self.xs, self.ys[f0 : f1 + 1], style)),
            *(_made(faces) for faces in _pillars(self.layout.solid[c0:c1], style, first_row=c0)),
        ]  # fmt: skip
        mesh = _walls_mesh(parts, self.pieces, style)
        inside = np.flatnonzero(mesh.pieces // self.pieces.columns == row)
        return mesh.taken(inside[piece_order(mesh.pieces[inside])])  # by_piece in the same gather


def _walls_mesh(parts: list[FacesToMake], pieces: Pieces, style: WallStyle) -> MeshArrays:
    """The parts as one mesh, each face in the piece under its middle."""
    # Every part written straight into the mesh's arrays: no copy of a big level's walls to join.
    total = sum(part.count for part in parts)
    corners, uvs = np.empty((total, 4, 3), np.float32), np.empty((total, 4, 2), np.float32)
    material = np.empty(total, np.int32)
    start = 0
    for part in parts:
        stop = start + part.count
        part.write(corners[start:stop], uvs[start:stop])
        material[start:stop] = part.material
        start = stop
    # The middle of each face, x and y one at a time: numpy is slow on rows of three.
    mid_x, mid_y = ((corners[:, 0, axis] + corners[:, 2, axis]) / 2 for axis in (0, 1))
    piece = pieces.of_points(mid_x, mid_y, style.cell_size)
    return quad_mesh(corners, uvs, material, WALL_MATERIALS, piece)


@dataclass(frozen=True)
class FacesToMake:
    """Quads of one material, counted before they are made: `write` fills given corners (n, 4, 3)
    and UVs (n, 4, 2), the slices of a mesh's arrays they go in."""

    count: int
    material: int
    write: Callable[[FloatArray, FloatArray], object]


def _made(faces: Faces) -> FacesToMake:
    """Faces already made, to be copied in."""

    def write(corners: FloatArray, uvs: FloatArray) -> None:
        corners[:] = faces.corners
        uvs[:] = faces.uvs

    return FacesToMake(len(faces.corners), faces.material, write)


@dataclass(frozen=True)
class Faces:
    """Quads of one material: corners (n, 4, 3) and UVs (n, 4, 2), both float32."""

    corners: FloatArray
    uvs: FloatArray
    material: int


def vertical_faces(
    x0: F64,
    y0: F64,
    x1: F64,
    y1: F64,
    z0: float,
    z1: float,
    material: int,
    out: tuple[FloatArray, FloatArray] | None = None,
) -> Faces:
    """Upright quads whose bottom edge runs from (x0, y0) to (x1, y1), along x or along y.

    Seen from the front the bottom edge runs left to right, so the normal is (dy, -dx).
    UVs are metres: u along the bottom edge's direction, v the height. `out`: the corners and
    UVs arrays to write them in (new ones by default).
    """
    n = len(x0)
    dx, dy = np.sign(x1 - x0), np.sign(y1 - y0)
    u0, u1 = dx * x0 + dy * y0, dx * x1 + dy * y1
    corners, uvs = out if out is not None else (np.empty((n, 4, 3), np.float32), np.empty((n, 4, 2), np.float32))
    # A block of faces at a time, so that its rows stay in cache while their columns are written.
    for begin in range(0, n, BLOCK):
        block = slice(begin, begin + BLOCK)
        corner, uv = corners[block], uvs[block]
        corner[:, (0, 3), 0] = x0[block, None]
        corner[:, (0, 3), 1] = y0[block, None]
        corner[:, (1, 2), 0] = x1[block, None]
        corner[:, (1, 2), 1] = y1[block, None]
        corner[:, (0, 1), 2] = z0
        corner[:, (2, 3), 2] = z1
        uv[:, (0, 3), 0] = u0[block, None]
        uv[:, (1, 2), 0] = u1[block, None]
        uv[:, (0, 1), 1] = z0
        uv[:, (2, 3), 1] = z1
    return Faces(corners, uvs, material)


def level_faces(x0: F64, y0: F64, x1: F64, y1: F64, z: float, up: bool, material: int) -> Faces:
    """Level rectangles at height z, facing up or down, with UVs (x, y) in metres."""
    n = len(x0)
    corners = np.empty((n, 4, 3), np.float32)
    xs = (x0, x1, x1, x0) if up else (x0, x0, x1, x1)
    ys = (y0, y0, y1, y1) if up else (y0, y1, y1, y0)
    for k in range(4):
        corners[:, k, 0], corners[:, k, 1] = xs[k], ys[k]
    corners[:, :, 2] = z
    return Faces(corners, np.ascontiguousarray(corners[:, :, :2]), material)


def fine_solids(layout: Layout, with_headers: bool) -> tuple[BoolArray, BoolArray]:
    """The wall solid on the fine grid, below door height and above it.

    fine[2j, 2i] is the post at grid point (i, j), fine[2j, 2i + 1] the strip of wall edge
    walls_h[j, i], fine[2j + 1, 2i] the strip of walls_v[j, i]; odd/odd cells are cell interiors.
    """
    depth, width = layout.depth, layout.width
    low = np.zeros((2 * depth + 1, 2 * width + 1), np.bool_)
    low[::2, 1::2] = layout.walls_h
    low[1::2, ::2] = layout.walls_v
    posts = np.zeros((depth + 1, width + 1), np.bool_)
    posts[:, :-1] |= layout.walls_h
    posts[:, 1:] |= layout.walls_h
    posts[:-1, :] |= layout.walls_v
    posts[1:, :] |= layout.walls_v
    low[::2, ::2] = posts
    high = low.copy()
    if with_headers:
        high[::2, 1::2] |= doorways(layout.walls_h)
        high[1::2, ::2] |= doorways(layout.walls_v.T).T
        # A two-cell doorway's middle post carries the header too.
        high[::2, 2:-1:2] |= high[::2, 1:-2:2] & high[::2, 3::2] & ~low[::2, 1:-2:2] & ~low[::2, 3::2]
        high[2:-1:2, ::2] |= high[1:-2:2, ::2] & high[3::2, ::2] & ~low[1:-2:2, ::2] & ~low[3::2, ::2]
    return low, high


def doorways(walls: BoolArray) -> BoolArray:
    """Gaps of one or two edges in a wall line, with wall on both sides: doorways, not halls."""
    w = np.pad(walls, ((0, 0), (2, 2)), constant_values=False)
    gap = ~w[:, 2:-2]
    single = gap & w[:, 1:-3] & w[:, 3:-1]
    first_of_two = gap & w[:, 1:-3] & ~w[:, 3:-1] & w[:, 4:]
    second_of_two = gap & ~w[:, 1:-3] & w[:, :-4] & w[:, 3:-1]
    doors: BoolArray = single | first_of_two | second_of_two
    return doors


def _fine_vertices(cells: int, style: WallStyle) -> F64:
    """Coordinates of the fine grid's vertex lines: each grid line i gives i*c - t/2 and i*c + t/2."""
    lines = np.arange(cells + 1, dtype=np.float64) * style.cell_size
    half = style.thickness / 2
    return np.column_stack([lines - half, lines + half]).ravel()


def _piece_breaks(vertex_count: int, cells: int) -> BoolArray:
    breaks = np.zeros(vertex_count, np.bool_)
    breaks[:: 2 * cells] = True
    return breaks


def _outline_faces(
    low: BoolArray,
    high: BoolArray,
    xs: F64,
    ys: F64,
    y_breaks: BoolArray,
    style: WallStyle,
    along_x: bool,
    lines: slice | None = None,
) -> list[FacesToMake]:
    """Faces on the fine grid's vertical vertex lines (x = xs[c]) where solid meets open.

    Called on transposed grids (with xs and ys swapped) for the horizontal lines. Each fine edge
    has a profile, (low side, high side): +1 solid on the low-x side, -1 on the high-x side, 0 none.
    Runs of equal profile along a line become one face per band. `lines`: only these of the
    grid's vertex lines (those between two of its columns, not at its edges, are whole).
    """
    code = ((_side(low) + 1) * 3 + (_side(high) + 1)).T  # 4: no boundary; runs go along axis 1
    if lines is not None:
        code, xs = code[lines], xs[lines]
    same = np.zeros(code.shape, np.bool_)
    same[:, 1:] = (code[:, 1:] == code[:, :-1]) & ~y_breaks[1:-1]
    boundary = code != 4
    line, start = _nonzero(boundary & ~same)
    ends = np.ones(code.shape, np.bool_)
    ends[:, :-1] = ~same[:, 1:]
    _, last = _nonzero(boundary & ends)
    profile = code[line, start]
    s_low, s_high = profile // 3 - 1, profile % 3 - 1
    x = xs[line]
    y0, y1 = ys[start], ys[last + 1]
    facing = np.where(s_low != 0, s_low, s_high)
    # Facing +x (solid on the low side): the bottom edge runs towards +y. On a transposed grid
    # the same face faces +y, and its bottom edge must run towards -x instead.
    forward = (facing > 0) != along_x
    a, b = np.where(forward, y0, y1), np.where(forward, y1, y0)
    faces = []
    for z0, z1, mask, material in _bands(s_low, s_high, style):
        count = int(np.count_nonzero(mask))
        if count:
            # On a transposed grid the line is a y and the run goes along x.
            bottom: tuple[F64, F64, F64, F64] = (a, x, b, x) if along_x else (x, a, x, b)
            faces.append(FacesToMake(count, material, _vertical_writer(bottom, mask, z0, z1, material)))
    return faces


def _vertical_writer(
    ends: tuple[F64, F64, F64, F64], mask: BoolArray, z0: float, z1: float, material: int
) -> Callable[[FloatArray, FloatArray], Faces]:
    """vertical_faces of the masked runs, into the arrays it is given."""

    def write(corners: FloatArray, uvs: FloatArray) -> Faces:
        x0, y0, x1, y1 = (end[mask] for end in ends)
        return vertical_faces(x0, y0, x1, y1, z0, z1, material, out=(corners, uvs))

    return write


def _nonzero(mask: BoolArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """np.nonzero of a 2-D mask, from its flat indices: faster than np.nonzero's own row and column."""
    rows, columns = np.divmod(np.flatnonzero(mask), mask.shape[1])
    return rows, columns


def _side(solid: BoolArray) -> npt.NDArray[np.int8]:
    """+1 where the fine cell left of a vertex line is solid and the right one open, -1 for the reverse."""
    padded = np.pad(solid, ((0, 0), (1, 1)), constant_values=False).astype(np.int8)
    step: npt.NDArray[np.int8] = padded[:, :-1] - padded[:, 1:]
    return step


def _bands(
    s_low: npt.NDArray[np.int64], s_high: npt.NDArray[np.int64], style: WallStyle
) -> list[tuple[float, float, BoolArray, int]]:
    """Height bands of each run: (z0, z1, which runs, material)."""
    door = style.door_height if style.door_height is not None else style.height
    base = style.baseboard
    both = (s_low != 0) & (s_high != 0)
    low_only = (s_low != 0) & (s_high == 0)
    high_only = (s_low == 0) & (s_high != 0)
    any_low = s_low != 0
    bands = [
        (base, style.height, both, WALLPAPER),
        (base, door, low_only, WALLPAPER),
        (door, style.height, high_only, WALLPAPER),
    ]
    if base > 0:
        bands.append((0.0, base, any_low, BASEBOARD))
    return bands


def _soffits(low: BoolArray, high: BoolArray, xs: F64, ys: F64, style: WallStyle) -> Faces:
    """The underside of each doorway header: a downward face per header fine cell."""
    rows, columns = _nonzero(high & ~low)
    height = style.door_height if style.door_height is not None else style.height
    return level_faces(xs[columns], ys[rows], xs[columns + 1], ys[rows + 1], height, up=False, material=WALLPAPER)


def _pillars(solid: BoolArray, style: WallStyle, first_row: int = 0) -> list[Faces]:
    """A square column, floor to ceiling, in the middle of each solid cell (`solid` starting at
    cell row `first_row`)."""
    ys, xs = _nonzero(solid)
    half = min(PILLAR_SHARE * style.cell_size, PILLAR_MAX_M) / 2
    cx, cy = (xs + 0.5) * style.cell_size, (ys + first_row + 0.5) * style.cell_size
    west, east, south, north = cx - half, cx + half, cy - half, cy + half
    # Bottom edges run counter-clockwise around the column, so every face looks outwards.
    sides = [(east, south, east, north), (east, north, west, north), (west, north, west, south),
             (west, south, east, south)]  # fmt: skip
    bands = [(style.baseboard, style.height, WALLPAPER)]
    if style.baseboard > 0:
        bands.append((0.0, style.baseboard, BASEBOARD))
    return [vertical_faces(*side, z0, z1, material) for z0, z1, material in bands for side in sides]


# ---------------------------------------------------------------------------------------------
# Floors, ceilings, fixtures


def floor_mesh(
    width_m: float, depth_m: float, pieces: Pieces, cell_size: float, holes: BoolArray | None = None
) -> MeshArrays:
    """One quad per piece, facing up, UVs in world metres; with holes (cells without floor: pools,
    pitfalls), one quad per run of floored cells along each row of a piece instead."""
    faces, piece = _slab(width_m, depth_m, 0.0, True, pieces, cell_size, holes)
    return quad_mesh(faces.corners, faces.uvs, 0, ("carpet",), piece)


def ceiling_mesh(
    width_m: float, depth_m: float, height: float, pieces: Pieces, cell_size: float, holes: BoolArray | None = None
) -> MeshArrays:
    """One quad per piece at ceiling height, facing down (with holes: runs, as floor_mesh)."""
    faces, piece = _slab(width_m, depth_m, height, False, pieces, cell_size, holes)
    return quad_mesh(faces.corners, faces.uvs, 0, ("ceiling_tile",), piece)


def _slab(
    width_m: float,
    depth_m: float,
    z: float,
    up: bool,
    pieces: Pieces,
    cell_size: float,
    holes: BoolArray | None,
) -> tuple[Faces, IntArray]:
    if holes is None or not holes.any():
        rectangles = _piece_rectangles(width_m, depth_m, pieces, cell_size)
        return level_faces(*rectangles, z, up=up, material=0), np.arange(pieces.count, dtype=np.int32)
    rows, starts, stops = _runs(~holes, pieces.cells)
    x0, x1 = starts * cell_size, stops * cell_size
    y0, y1 = rows * cell_size, (rows + 1) * cell_size
    piece = (rows // pieces.cells) * pieces.columns + starts // pieces.cells
    return level_faces(x0, y0, x1, y1, z, up=up, material=0), piece.astype(np.int32)


def _runs(cells: BoolArray, break_every: int) -> tuple[npt.NDArray[np.int64], ...]:
    """Row, first and past-the-end column of every run of True cells along the rows, broken
    where a piece border passes (every `break_every` columns)."""
    width = cells.shape[1]
    border = np.arange(width) % break_every == 0
    west_taken = np.pad(cells[:, :-1], ((0, 0), (1, 0)))
    east_taken = np.pad(cells[:, 1:], ((0, 0), (0, 1)))
    starts_at = cells & (border[None, :] | ~west_taken)
    ends_at = cells & (np.append(border[1:], True)[None, :] | ~east_taken)
    rows, starts = np.nonzero(starts_at)
    _, last = np.nonzero(ends_at)  # row-major order: the n-th end closes the n-th start
    return rows.astype(np.int64), starts.astype(np.int64), (last + 1).astype(np.int64)


def _piece_rectangles(width_m: float, depth_m: float, pieces: Pieces, cell_size: float) -> tuple[F64, F64, F64, F64]:
    size = pieces.cells * cell_size
    row, column = np.divmod(np.arange(pieces.count), pieces.columns)
    x0, y0 = column * size, row * size
    return x0, y0, np.minimum(x0 + size, width_m), np.minimum(y0 + size, depth_m)
