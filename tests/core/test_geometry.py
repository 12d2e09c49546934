"""Meshes: planar quads of real size, facing the walkable space, with unstretched metre UVs."""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from level_checks import inside_walls, planarity_error, quad_corners

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.geometry import PILLAR_MAX_M, PILLAR_SHARE, MeshArrays, wall_mesh
from backrooms_addon.core.layout import build_layout

specs = st.builds(
    LevelSpec,
    seed=st.integers(0, 1 << 40),
    width=st.integers(1, 24),
    depth=st.integers(1, 24),
    density=st.floats(0.0, 1.0),
    origin=st.tuples(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9)),
    cell_size=st.floats(1.0, 4.0),
    wall_thickness=st.floats(0.05, 0.45),
)


def _consistent(mesh: MeshArrays) -> None:
    count = mesh.face_count
    assert mesh.faces.shape == (count, 4) and mesh.faces.dtype == np.int32
    assert mesh.vertices.shape == (4 * count, 3) and mesh.vertices.dtype == np.float32
    assert mesh.uvs.shape == (4 * count, 2)
    assert mesh.material_indices.shape == (count,)
    assert ((mesh.material_indices >= 0) & (mesh.material_indices < len(mesh.materials))).all()
    assert np.isfinite(mesh.vertices).all() and np.isfinite(mesh.uvs).all()


@given(specs)
def test_every_mesh_is_valid_quads(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    for mesh in plan.meshes.values():
        _consistent(mesh)
        if mesh.face_count:
            assert mesh.areas().min() > 1e-4, "no degenerate faces"
            assert planarity_error(mesh) < 1e-4


@given(specs)
def test_wall_faces_lie_on_the_wall_surface_and_face_out(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    layout = plan.layout.closed()  # a finite level is closed all round
    mesh = plan.meshes["walls"]  # walls and pillars
    pillar = min(PILLAR_SHARE * spec.cell_size, PILLAR_MAX_M)
    q = quad_corners(mesh)[:, :, :2]
    fractions = np.linspace(0.05, 0.95, 10)[None, :, None]
    samples = q[:, :1] + fractions * (q[:, 1:2] - q[:, :1])  # (faces, 10, 2) along each face
    normals = np.repeat(mesh.normals().astype(np.float64)[:, None, :2], 10, axis=1)
    step = min(0.01, spec.wall_thickness / 4)
    points = samples.reshape(-1, 2)
    front = inside_walls(layout, spec.cell_size, spec.wall_thickness, points + step * normals.reshape(-1, 2), pillar)
    back = inside_walls(layout, spec.cell_size, spec.wall_thickness, points - step * normals.reshape(-1, 2), pillar)
    # Behind every face is wall: no face floats in the air or faces the wrong way.
    assert back.all(), f"{(~back.reshape(-1, 10).all(axis=1)).sum()} faces are not on a wall's surface"
    # In front of every face is some open air: no face is buried inside the solid. (Parts of a
    # face may be covered where another wall abuts it at a T-junction.)
    buried = front.reshape(-1, 10).all(axis=1)
    assert not buried.any(), f"{buried.sum()} faces are buried inside walls"


@given(specs)
def test_no_two_wall_faces_overlap(spec: LevelSpec) -> None:
    mesh = wall_mesh(build_layout(spec), spec.cell_size, spec.wall_height, spec.wall_thickness)
    q = quad_corners(mesh)
    normals = mesh.normals()
    # Coplanar faces facing the same way have the same (normal, offset); their extents must not overlap.
    offsets = np.einsum("ij,ij->i", q[:, 0], normals)
    keys = np.round(np.column_stack([normals, offsets]), 4)
    lo, hi = q.min(axis=1), q.max(axis=1)
    order = np.lexsort(keys.T[::-1])
    for a, b in itertools.pairwise(order):
        if (keys[a] == keys[b]).all():
            overlap = np.minimum(hi[a], hi[b]) - np.maximum(lo[a], lo[b])
            assert (np.sort(overlap)[1:] <= 1e-5).any(), "coplanar faces overlap"


def test_wall_area_matches_the_layout() -> None:
    spec = LevelSpec(seed=11, width=16, depth=12, cell_size=2.0, wall_height=3.0, wall_thickness=0.2)
    layout = build_layout(spec)
    mesh = wall_mesh(layout, spec.cell_size, spec.wall_height, spec.wall_thickness)
    # Top-down, the wall solid's outline times the height is the visible side area. Where a
    # y-aligned wall ends against an x-aligned one, the x wall's face runs on behind it for
    # one wall thickness: add those hidden strips.
    outline = _raster_perimeter(layout, spec)
    h = layout.walls_h
    touched = np.zeros((h.shape[0], h.shape[1] + 1), bool)
    touched[:, :-1] |= h
    touched[:, 1:] |= h
    v_rows, v_cols = np.nonzero(layout.walls_v)
    abutments = touched[v_rows, v_cols].sum() + touched[v_rows + 1, v_cols].sum()
    expected = (outline + abutments * spec.wall_thickness) * spec.wall_height
    assert float(mesh.areas().sum()) == pytest.approx(expected, rel=2e-3)


def _raster_perimeter(layout, spec: LevelSpec) -> float:
    """Outline length of the wall solid, measured on a 1 cm raster."""
    res = 0.01
    xs = np.arange(-0.3, spec.width * spec.cell_size + 0.3, res) + res / 2
    ys = np.arange(-0.3, spec.depth * spec.cell_size + 0.3, res) + res / 2
    gx, gy = np.meshgrid(xs, ys)
    solid = inside_walls(layout, spec.cell_size, spec.wall_thickness, np.column_stack([gx.ravel(), gy.ravel()]))
    solid = solid.reshape(gx.shape)
    edges = np.count_nonzero(solid[:, 1:] != solid[:, :-1]) + np.count_nonzero(solid[1:] != solid[:-1])
    return edges * res


def test_wall_uvs_are_metres_along_the_wall() -> None:
    plan = plan_level(LevelSpec(seed=4, width=10, depth=10))
    walls = plan.meshes["walls"]
    q = quad_corners(walls)
    uv = walls.uvs.reshape(-1, 4, 2).astype(np.float64)
    edge_3d = np.linalg.norm(np.roll(q, -1, axis=1) - q, axis=2)
    edge_uv = np.linalg.norm(np.roll(uv, -1, axis=1) - uv, axis=2)
    np.testing.assert_allclose(edge_uv, edge_3d, atol=1e-4)
    np.testing.assert_allclose(uv[:, :, 1], q[:, :, 2], atol=1e-5)  # v is height


def test_floor_up_ceiling_down_fixtures_down() -> None:
    plan = plan_level(LevelSpec(seed=2, width=8, depth=6))
    assert np.allclose(plan.meshes["floor"].normals(), [0, 0, 1])
    assert np.allclose(plan.meshes["ceiling"].normals(), [0, 0, -1])
    fixtures = plan.meshes["fixtures"]
    assert np.allclose(fixtures.normals(), [0, 0, -1])
    assert fixtures.vertices[:, 2].max() < plan.spec.wall_height
    width_m, depth_m = plan.size_m
    floor = plan.meshes["floor"]
    assert float(floor.areas().sum()) == pytest.approx(width_m * depth_m)
    np.testing.assert_allclose(floor.uvs, floor.vertices[:, :2])  # metres, so textures never stretch


@given(specs)
def test_walls_merge_collinear_edges(spec: LevelSpec) -> None:
    mesh = wall_mesh(build_layout(spec), spec.cell_size, spec.wall_height, spec.wall_thickness)
    q = quad_corners(mesh)
    normals = np.round(mesh.normals(), 3)
    offsets = np.round(np.einsum("ij,ij->i", q[:, 0], normals), 4)
    # Along each line of coplanar side faces, no two faces may touch: they would be one face.
    # (End caps, one wall thickness wide, are left out: at corners they meet side faces.)
    side = np.ptp(q[:, :, :2], axis=1).max(axis=1) > spec.wall_thickness + 1e-4
    for normal in ((0, 1, 0), (0, -1, 0), (1, 0, 0), (-1, 0, 0)):
        axis = 0 if normal[1] else 1
        facing = (normals == normal).all(axis=1) & side
        for offset in np.unique(offsets[facing]):
            on_line = facing & (offsets == offset)
            spans = np.sort(np.column_stack([q[on_line, :, axis].min(1), q[on_line, :, axis].max(1)]), axis=0)
            gaps = spans[1:, 0] - spans[:-1, 1]
            assert (gaps > 1e-4).all(), f"touching faces on the line {normal} {offset} were not merged"


def test_mesh_bytes_are_deterministic() -> None:
    def digest() -> str:
        sha = hashlib.sha256()
        for mesh in plan_level(LevelSpec(seed=21, width=20, depth=20)).meshes.values():
            for array in (mesh.vertices, mesh.faces, mesh.uvs, mesh.material_indices):
                sha.update(array.tobytes())
        return sha.hexdigest()

    assert digest() == digest()


def test_pillars_are_closed_columns_in_their_cells() -> None:
    spec = LevelSpec(seed=2, width=40, depth=40, density=0.1)
    plan = plan_level(spec)
    solid = plan.layout.solid
    assert solid.sum() >= 5
    walls_only = wall_mesh(plan.layout.closed(), spec.cell_size, spec.wall_height, spec.wall_thickness)
    pillar_faces = plan.meshes["walls"].face_count - walls_only.face_count
    assert pillar_faces == 4 * solid.sum()
    q = quad_corners(plan.meshes["walls"])[walls_only.face_count :]
    side = min(PILLAR_SHARE * spec.cell_size, PILLAR_MAX_M)
    np.testing.assert_allclose(np.ptp(q[:, :, :2], axis=1).max(axis=1), side, rtol=1e-5)
    np.testing.assert_allclose(q[:, :, 2].max(axis=1), spec.wall_height, rtol=1e-6)
    centres = np.floor(q.mean(axis=1)[:, :2] / spec.cell_size).astype(int)
    assert solid[centres[:, 1], centres[:, 0]].all()
