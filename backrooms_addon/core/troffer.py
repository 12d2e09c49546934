"""The troffer: a 0.6 x 1.2 m (or 0.6 x 0.6 m) ceiling light as quads, and its copies over a level."""

from __future__ import annotations

import numpy as np

from .fixtures import Fixtures
from .geometry import Faces, MeshArrays, Pieces, level_faces, quad_mesh, vertical_faces

HANG = 0.04  # metres the frame hangs below the ceiling
LIP = 0.03  # width of the frame's lip around the diffuser
RECESS = 0.025  # how far the diffuser sits above the lip's underside
FRAME, DIFFUSER = 0, 1
TEMPLATE_MATERIALS = ("troffer_frame", "fixture_diffuser")
# A level's fixture meshes: the frame, then the diffuser in each state (see core/fixtures.py).
FIXTURE_MATERIALS = (
    "troffer_frame",
    "fixture_diffuser",
    "fixture_dead",
    *(f"fixture_flicker_{phase}" for phase in range(4)),
)


def troffer_template(size_x: float, size_y: float) -> MeshArrays:
    """One troffer centred on the origin, hanging from the ceiling plane z = 0, facing down."""
    hx, hy, ix, iy = size_x / 2, size_y / 2, size_x / 2 - LIP, size_y / 2 - LIP
    bottom, diffuser_z = -HANG, -HANG + RECESS

    def ring(x: float, y: float, z0: float, z1: float, outward: bool) -> list[Faces]:
        corners = [(x, -y), (x, y), (-x, y), (-x, -y)]
        sides = []
        for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
            (sx, sy), (ex, ey) = ((ax, ay), (bx, by)) if outward else ((bx, by), (ax, ay))
            sides.append(vertical_faces(np.array([sx]), np.array([sy]), np.array([ex]), np.array([ey]), z0, z1, FRAME))
        return sides

    lip = [
        level_faces(np.array([x0]), np.array([y0]), np.array([x1]), np.array([y1]), bottom, up=False, material=FRAME)
        for x0, y0, x1, y1 in ((-hx, -hy, hx, -iy), (-hx, iy, hx, hy), (-hx, -iy, -ix, iy), (ix, -iy, hx, iy))
    ]
    diffuser = level_faces(
        np.array([-ix]), np.array([-iy]), np.array([ix]), np.array([iy]), diffuser_z, False, DIFFUSER
    )
    # The diffuser's UVs span 0..1 over the panel, for its prism texture.
    diffuser_uv = (diffuser.corners[:, :, :2] + [ix, iy]) / [2 * ix, 2 * iy]
    parts = [*ring(hx, hy, bottom, 0.0, outward=True), *lip, *ring(ix, iy, bottom, diffuser_z, outward=False)]
    corners = np.concatenate([*(p.corners for p in parts), diffuser.corners])
    uvs = np.concatenate([*(p.uvs for p in parts), diffuser_uv.astype(np.float32)])
    material = np.array([FRAME] * (len(corners) - 1) + [DIFFUSER], np.int32)
    return quad_mesh(corners, uvs, material, TEMPLATE_MATERIALS)


def fixture_mesh(
    placed: Fixtures, template: MeshArrays, size: tuple[float, float], pieces: Pieces, cell_size: float
) -> MeshArrays:
    """Copies of the template at every troffer, scaled to `size`, the diffuser's material by state."""
    # All in float64 with explicit types: numpy 1.x and 2.x then round alike (NEP 50 changed how
    # Python floats mix with float32), so the bytes are the same on every Blender.
    model = template.vertices.astype(np.float64)
    extent = np.ptp(model[:, :2], axis=0)
    scale = np.array([size[0], size[1], 1.0], np.float64) / np.array([extent[0], extent[1], 1.0], np.float64)
    count, per = len(placed.centres), template.face_count
    vertices = ((model * scale)[None] + placed.centres[:, None, :]).astype(np.float32)
    # Frame faces keep material 0; diffusers take 1 + state (lit, dead, flicker patterns).
    diffuser = template.material_indices == DIFFUSER
    material = np.where(diffuser[None, :], 1 + placed.states[:, None], 0).astype(np.int32)
    piece = np.repeat(pieces.of_points(placed.centres[:, 0], placed.centres[:, 1], cell_size), per)
    return quad_mesh(
        vertices.reshape(-1, 4, 3),
        np.broadcast_to(template.uvs.reshape(1, per, 4, 2), (count, per, 4, 2)).reshape(-1, 4, 2),
        material.ravel(),
        FIXTURE_MATERIALS,
        piece.astype(np.int32),
    )


def troffer_kind(size: tuple[float, float]) -> str:
    """Which template a level uses: the long troffer where it fits, the square one otherwise."""
    return "Troffer 60x120" if size[1] >= 1.0 else "Troffer 60x60"


TEMPLATES: dict[str, tuple[float, float]] = {"Troffer 60x120": (0.6, 1.2), "Troffer 60x60": (0.6, 0.6)}


def default_template(size: tuple[float, float]) -> MeshArrays:
    return troffer_template(*TEMPLATES[troffer_kind(size)])
