"""Geometry: turns a layout into quad meshes (vertices, faces, UVs in metres, material indices)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .layout import Layout

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class MeshArrays:
    """A quad mesh as flat arrays, ready for foreach_set.

    Each face owns its four vertices (flat-shaded architecture needs no sharing), so
    `faces` is simply arange(4 * n).reshape(n, 4) and `uvs` has one row per loop.
    """

    vertices: FloatArray  # (4n, 3) metres
    faces: IntArray  # (n, 4) vertex indices, counter-clockwise seen from the front
    uvs: FloatArray  # (4n, 2) metres
    material_indices: IntArray  # (n,)
    materials: tuple[str, ...]  # recipe names, by material index

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


def quad_mesh(
    corners: npt.NDArray[np.float64],
    uvs: npt.NDArray[np.float64],
    material_index: int | npt.NDArray[np.int32],
    materials: tuple[str, ...],
) -> MeshArrays:
    """Pack (n, 4, 3) quad corners and (n, 4, 2) UVs into MeshArrays."""
    count = corners.shape[0]
    indices = np.broadcast_to(np.asarray(material_index, np.int32), (count,))
    return MeshArrays(
        vertices=np.ascontiguousarray(corners.reshape(-1, 3), np.float32),
        faces=np.arange(4 * count, dtype=np.int32).reshape(count, 4),
        uvs=np.ascontiguousarray(uvs.reshape(-1, 2), np.float32),
        material_indices=np.ascontiguousarray(indices),
        materials=materials,
    )


def wall_mesh(layout: Layout, cell_size: float, height: float, thickness: float) -> MeshArrays:
    """Walls as boxes: collinear edges merged into runs, with no overlapping faces at joints.

    Horizontal (x-aligned) walls own the square at each grid point they touch; vertical
    walls are cut at those points and stop at the horizontal wall's face.
    """
    touch_h = _grid_points_touched(layout.walls_h)
    all_points = np.ones_like(touch_h)
    row, start, stop = _runs(layout.walls_h, all_points)
    half = thickness / 2
    h_quads = _box_faces(
        along0=start * cell_size - half,
        along1=stop * cell_size + half,
        across=row * cell_size,
        half=half,
        height=height,
        cap0=np.ones(len(row), np.bool_),
        cap1=np.ones(len(row), np.bool_),
    )
    col, start, stop = _runs(layout.walls_v.T, ~touch_h.T)
    start_touch = touch_h[start, col]
    stop_touch = touch_h[stop, col]
    v_quads = _box_faces(
        along0=start * cell_size + np.where(start_touch, half, -half),
        along1=stop * cell_size - np.where(stop_touch, half, -half),
        across=col * cell_size,
        half=half,
        height=height,
        cap0=~start_touch,
        cap1=~stop_touch,
    )
    # Swapping x and y mirrors the quads, so reverse their winding to keep normals outward.
    v_quads = v_quads[:, ::-1][:, :, [1, 0, 2]]
    corners = np.concatenate([h_quads, v_quads])
    return quad_mesh(corners, _vertical_uvs(corners), 0, ("wallpaper",))


PILLAR_SHARE = 0.4  # a pillar's side as a share of the cell size, up to PILLAR_MAX_M
PILLAR_MAX_M = 0.9


def pillar_mesh(solid: BoolArray, cell_size: float, height: float) -> MeshArrays:
    """A square column, floor to ceiling, in the middle of each solid cell."""
    ys, xs = np.nonzero(solid)
    half = min(PILLAR_SHARE * cell_size, PILLAR_MAX_M) / 2
    cx, cy = (xs + 0.5) * cell_size, (ys + 0.5) * cell_size
    caps = np.ones(len(xs), np.bool_)
    corners = _box_faces(cx - half, cx + half, cy, half, height, caps, caps)
    return quad_mesh(corners, _vertical_uvs(corners), 0, ("wallpaper",))


def concat_meshes(*meshes: MeshArrays) -> MeshArrays:
    """One mesh from several that share their material list."""
    materials = meshes[0].materials
    assert all(mesh.materials == materials for mesh in meshes), "meshes must share materials"
    offsets = np.cumsum([0] + [len(mesh.vertices) for mesh in meshes[:-1]])
    return MeshArrays(
        vertices=np.concatenate([mesh.vertices for mesh in meshes]),
        faces=np.concatenate([mesh.faces + offset for mesh, offset in zip(meshes, offsets, strict=True)]).astype(
            np.int32
        ),
        uvs=np.concatenate([mesh.uvs for mesh in meshes]),
        material_indices=np.concatenate([mesh.material_indices for mesh in meshes]),
        materials=materials,
    )


def floor_mesh(width_m: float, depth_m: float) -> MeshArrays:
    """One quad over the whole region, facing up, UVs in world metres."""
    corners = np.array([[[0, 0, 0], [width_m, 0, 0], [width_m, depth_m, 0], [0, depth_m, 0]]], np.float64)
    return quad_mesh(corners, corners[:, :, :2], 0, ("carpet",))


def ceiling_mesh(width_m: float, depth_m: float, height: float) -> MeshArrays:
    """One quad over the whole region at ceiling height, facing down."""
    corners = np.array(
        [[[0, 0, height], [0, depth_m, height], [width_m, depth_m, height], [width_m, 0, height]]],
        np.float64,
    )
    return quad_mesh(corners, corners[:, :, :2], 0, ("ceiling_tile",))


def panel_mesh(centres: npt.NDArray[np.float64], size_x: float, size_y: float) -> MeshArrays:
    """Downward-facing rectangles (light diffusers) centred on the given points."""
    hx, hy = size_x / 2, size_y / 2
    offsets = np.array([[-hx, -hy, 0], [-hx, hy, 0], [hx, hy, 0], [hx, -hy, 0]], np.float64)
    corners = centres[:, None, :] + offsets[None, :, :]
    uvs = (offsets[None, :, :2] / [size_x, size_y] + 0.5) * np.ones((len(centres), 1, 1))
    return quad_mesh(corners, uvs, 0, ("fixture_diffuser",))


def _grid_points_touched(walls_h: BoolArray) -> BoolArray:
    """touched[y, x]: an x-aligned wall ends at or passes through grid point (x, y)."""
    rows, width = walls_h.shape
    touched = np.zeros((rows, width + 1), np.bool_)
    touched[:, :-1] |= walls_h
    touched[:, 1:] |= walls_h
    return touched


def _runs(walls: BoolArray, joinable: BoolArray) -> tuple[IntArray, IntArray, IntArray]:
    """Maximal runs of walls along each row.

    walls: (rows, n) edges; joinable: (rows, n + 1) grid points where two edges may merge.
    Returns (row, first grid point, last grid point) of each run.
    """
    inner_join = joinable[:, 1:-1]
    continues_back = np.zeros_like(walls)
    continues_back[:, 1:] = walls[:, :-1] & inner_join
    continues_ahead = np.zeros_like(walls)
    continues_ahead[:, :-1] = walls[:, 1:] & inner_join
    row, start = np.nonzero(walls & ~continues_back)
    _, last = np.nonzero(walls & ~continues_ahead)
    return row.astype(np.int32), start.astype(np.int32), (last + 1).astype(np.int32)


_Coords = tuple[npt.NDArray[np.float64], ...]


def _box_faces(
    along0: npt.NDArray[np.float64],
    along1: npt.NDArray[np.float64],
    across: npt.NDArray[np.float64],
    half: float,
    height: float,
    cap0: BoolArray,
    cap1: BoolArray,
) -> npt.NDArray[np.float64]:
    """Side and end quads of x-aligned wall boxes, (n, 4, 3), normals pointing out."""
    lo, hi = across - half, across + half
    z0, z1 = np.zeros_like(lo), np.full_like(lo, height)

    def quad(xs: _Coords, ys: _Coords, zs: _Coords) -> npt.NDArray[np.float64]:
        return np.stack([np.stack([x, y, z], -1) for x, y, z in zip(xs, ys, zs, strict=True)], 1)

    south = quad((along0, along1, along1, along0), (lo, lo, lo, lo), (z0, z0, z1, z1))
    north = quad((along1, along0, along0, along1), (hi, hi, hi, hi), (z0, z0, z1, z1))
    west = quad((along0, along0, along0, along0), (hi, lo, lo, hi), (z0, z0, z1, z1))
    east = quad((along1, along1, along1, along1), (lo, hi, hi, lo), (z0, z0, z1, z1))
    return np.concatenate([south, north, west[cap0], east[cap1]])


def _vertical_uvs(corners: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """u: metres along the wall (left to right seen from the front), v: height in metres."""
    edge = corners[:, 1, :2] - corners[:, 0, :2]
    tangent = edge / np.linalg.norm(edge, axis=1, keepdims=True)
    u = np.einsum("nkj,nj->nk", corners[:, :, :2], tangent)
    return np.stack([u, corners[:, :, 2]], -1)
