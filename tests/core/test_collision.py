"""Collision meshes: few faces per piece, full-height walls on the wall solid, covering the render walls."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from level_checks import geometry_specs, inside_walls, quad_corners

from backrooms_addon.core import LevelSpec, plan_level
from backrooms_addon.core.collision import collision_mesh
from backrooms_addon.core.geometry import MeshArrays
from backrooms_addon.core.plan import walled


def _upright(mesh: MeshArrays) -> np.ndarray:
    return np.abs(mesh.normals()[:, 2]) < 0.5


@given(geometry_specs)
def test_walls_are_full_height_and_floor_and_ceiling_one_quad_per_piece(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    mesh = collision_mesh(plan)
    q = quad_corners(mesh)
    upright = _upright(mesh)
    np.testing.assert_allclose(q[upright][:, :, 2].min(axis=1), 0.0, atol=1e-6)
    np.testing.assert_allclose(q[upright][:, :, 2].max(axis=1), spec.wall_height, atol=1e-5)
    pieces = plan.pieces
    for z, up in ((0.0, 1), (spec.wall_height, -1)):
        level = ~upright & np.isclose(q[:, 0, 2], z)
        assert sorted(mesh.pieces[level].tolist()) == list(range(pieces.count)), "one quad per piece"
        assert (np.sign(mesh.normals()[level, 2]) == up).all(), "floor faces up, ceiling down"
    assert mesh.materials == ("collision",) and not mesh.material_indices.any()


@given(geometry_specs)
def test_walls_sit_on_the_wall_solid_facing_out(spec: LevelSpec) -> None:
    """Checked against the layout's wall boxes and pillars, worked out independently."""
    plan = plan_level(spec)
    mesh = collision_mesh(plan)
    upright = _upright(mesh)
    if not upright.any():
        return
    q = quad_corners(mesh)[upright]
    normals = mesh.normals()[upright].astype(np.float64)
    fractions = np.linspace(0.05, 0.95, 9)[None, :, None]
    points = (q[:, :1, :2] + fractions * (q[:, 1:2, :2] - q[:, :1, :2])).reshape(-1, 2)
    offset = np.repeat(normals[:, :2], 9, axis=0) * min(0.01, spec.wall_thickness / 4)
    layout = walled(spec, plan.layout)
    pillar = min(0.4 * spec.cell_size, 0.9)
    behind = inside_walls(layout, spec.cell_size, spec.wall_thickness, points - offset, pillar)
    ahead = inside_walls(layout, spec.cell_size, spec.wall_thickness, points + offset, pillar)
    assert behind.all(), "every collision wall has the wall solid behind it"
    assert not ahead.any(), "and open space in front"


@given(geometry_specs)
def test_every_render_wall_face_below_the_doors_lies_on_a_collision_wall(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    render, collision = plan.meshes["walls"], collision_mesh(plan)
    door = min(spec.door_height, spec.wall_height)
    low = _upright(render) & (quad_corners(render)[:, :, 2].min(axis=1) < door - 1e-4)
    faces = quad_corners(render)[low]
    normals = np.round(render.normals()[low], 3)
    walls = quad_corners(collision)[_upright(collision)]
    wall_normals = np.round(collision.normals()[_upright(collision)], 3)
    lo, hi = walls.min(axis=1) - 1e-4, walls.max(axis=1) + 1e-4
    for face, normal in zip(faces, normals, strict=True):
        same_way = (wall_normals == normal).all(axis=1)
        inside = ((face.min(axis=0) >= lo) & (face.max(axis=0) <= hi)).all(axis=1)
        # Upright axis-aligned quads: inside a wall's box and facing the same way means on that wall.
        assert (same_way & inside).any(), f"render face {face.tolist()} has no collision wall"


@given(geometry_specs)
def test_no_piece_has_more_faces_than_its_render_meshes(spec: LevelSpec) -> None:
    plan = plan_level(spec)
    count = plan.pieces.count
    collision = np.bincount(collision_mesh(plan).pieces, minlength=count)
    render = sum(np.bincount(plan.meshes[kind].pieces, minlength=count) for kind in ("walls", "floor", "ceiling"))
    assert (collision <= render).all()


def test_a_typical_level_needs_less_than_half_the_faces() -> None:
    """Baseboards split every wall run in two, and doorways add headers: collision has neither."""
    spec = LevelSpec(seed=5, width=40, depth=40, chunk_size=8, piece_chunks=2)
    plan = plan_level(spec)
    collision = np.bincount(collision_mesh(plan).pieces, minlength=plan.pieces.count)
    render = sum(np.bincount(plan.meshes[k].pieces, minlength=plan.pieces.count) for k in ("walls", "floor", "ceiling"))
    assert (collision < 0.55 * render).all(), (collision, render)


def test_every_floor_has_collision_with_its_openings() -> None:
    spec = LevelSpec(seed=8, width=32, depth=32, floors=2, pitfall_density=0.2)
    plan = plan_level(spec)
    mesh = collision_mesh(plan)
    corners = mesh.vertices.reshape(-1, 4, 3)
    up = mesh.normals()[:, 2] > 0.5
    for floor in plan.floors:
        ground = up & np.isclose(corners[:, :, 2], floor.base_z).all(axis=1)
        assert ground.any(), "each floor can be stood on"
        # No ground face covers an opening of this floor.
        centres = (
            (floor.floor_holes.nonzero()[1] + 0.5) * spec.cell_size,
            (floor.floor_holes.nonzero()[0] + 0.5) * spec.cell_size,
        )
        for x, y in zip(*centres, strict=True):
            box = corners[ground]
            covered = (
                (box[:, :, 0].min(1) < x)
                & (box[:, :, 0].max(1) > x)
                & (box[:, :, 1].min(1) < y)
                & (box[:, :, 1].max(1) > y)
            )
            assert not covered.any()
    assert "stairs" in plan.meshes and (mesh.face_count > plan.meshes["stairs"].face_count)
