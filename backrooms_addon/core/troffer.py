"""The troffer: a 0.6 x 1.2 m (or 0.6 x 0.6 m) ceiling light as quads, and its copies over a level."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from .fixtures import Fixtures
from .geometry import MeshArrays, Pieces, level_faces, quad_mesh, vertical_faces

HANG = 0.03  # metres the troffer hangs below the ceiling
FRAME, DIFFUSER = 0, 1
TEMPLATE_MATERIALS = ("troffer_frame", "fixture_diffuser")
# A level's fixture meshes: the frame, then the diffuser in each state (see core/fixtures.py).
FIXTURE_MATERIALS = (
    "troffer_frame",
    "fixture_diffuser",
    "fixture_dead",
    *(f"fixture_flicker_{phase}" for phase in range(4)),
    "fixture_sodium",
)


def troffer_template(size_x: float, size_y: float) -> MeshArrays:
    """One troffer centred on the origin, hanging HANG below the ceiling plane z = 0.

    Five quads: four sides of painted frame and the face seen from below, whose texture carries
    the frame's lip around the prismatic diffuser. A level holds thousands of troffers, so the
    lip and the recess are painted rather than modelled: a fifth of the faces, the same look from
    eye height.
    """
    hx, hy = size_x / 2, size_y / 2
    corners = [(hx, -hy), (hx, hy), (-hx, hy), (-hx, -hy)]
    sides = [
        vertical_faces(np.array([ax]), np.array([ay]), np.array([bx]), np.array([by]), -HANG, 0.0, FRAME)
        for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True)
    ]
    face = level_faces(np.array([-hx]), np.array([-hy]), np.array([hx]), np.array([hy]), -HANG, False, DIFFUSER)
    # The face's UVs span 0..1 over the troffer, for its lip-and-prism texture.
    face_uv = (face.corners[:, :, :2] + [hx, hy]) / [size_x, size_y]
    corners_all = np.concatenate([*(side.corners for side in sides), face.corners])
    uvs = np.concatenate([*(side.uvs for side in sides), face_uv.astype(np.float32)])
    material = np.array([FRAME] * 4 + [DIFFUSER], np.int32)
    return quad_mesh(corners_all, uvs, material, TEMPLATE_MATERIALS)


def fixture_mesh(
    placed: Fixtures, template: MeshArrays, size: tuple[float, float], pieces: Pieces, cell_size: float
) -> MeshArrays:
    """Copies of the template at every troffer, scaled to `size`, the diffuser's material by state."""
    count, per = len(placed.centres), template.face_count
    vertices = (scaled(template, size)[None] + placed.centres[:, None, :]).astype(np.float32)
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


def scaled(template: MeshArrays, size: tuple[float, float]) -> npt.NDArray[np.float64]:
    """The template's vertices scaled to a troffer of `size` (x by y metres), in float64."""
    # All in float64 with explicit types: numpy 1.x and 2.x then round alike (NEP 50 changed how
    # Python floats mix with float32), so the bytes are the same on every Blender.
    model = template.vertices.astype(np.float64)
    extent = np.ptp(model[:, :2], axis=0)
    scale = np.array([size[0], size[1], 1.0], np.float64) / np.array([extent[0], extent[1], 1.0], np.float64)
    out: npt.NDArray[np.float64] = model * scale
    return out


def variant_mesh(template: MeshArrays, size: tuple[float, float], materials: tuple[str, str]) -> MeshArrays:
    """One troffer at the origin, scaled to `size`: the mesh a level instances at its fixtures of
    one state, `materials` its frame's and its diffuser's (the state's) names."""
    return replace(template, vertices=scaled(template, size).astype(np.float32), materials=materials)


CAGE_BAR = 0.014  # metres: the side of a bulkhead cage's bars
CAGE_DROP = 0.03  # how far the cage reaches below the glass


def bulkhead_template(size_x: float, size_y: float) -> MeshArrays:
    """A caged bulkhead lamp: a troffer's shallow body and glass with a cage below, two bars
    each way across the glass (their sides and undersides; their tops lie on the glass)."""
    body = troffer_template(size_x, size_y)
    hx, hy, bar = size_x / 2, size_y / 2, CAGE_BAR / 2
    z0, z1 = -HANG - CAGE_DROP, -HANG
    bars = []
    for at in (-size_x / 6, size_x / 6):  # along y
        bars.append(_bar(at - bar, -hy, at + bar, hy, z0, z1))
    for at in (-size_y / 6, size_y / 6):  # along x
        bars.append(_bar(-hx, at - bar, hx, at + bar, z0, z1))
    corners = np.concatenate([body.vertices.reshape(-1, 4, 3), *(c for c, _ in bars)])
    uvs = np.concatenate([body.uvs.reshape(-1, 4, 2), *(u for _, u in bars)])
    material = np.concatenate([body.material_indices, np.full(sum(len(c) for c, _ in bars), FRAME, np.int32)])
    return quad_mesh(corners, uvs, material, TEMPLATE_MATERIALS)


def _bar(x0: float, y0: float, x1: float, y1: float, z0: float, z1: float) -> tuple[npt.NDArray[np.float32], ...]:
    """A box's four sides and its underside, facing out (its top is hidden against the glass)."""
    ring = [(x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    sides = [
        vertical_faces(np.array([ax]), np.array([ay]), np.array([bx]), np.array([by]), z0, z1, FRAME)
        for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True)
    ]
    bottom = level_faces(np.array([x0]), np.array([y0]), np.array([x1]), np.array([y1]), z0, False, FRAME)
    faces = [*sides, bottom]
    return np.concatenate([f.corners for f in faces]), np.concatenate([f.uvs for f in faces])


def troffer_kind(size: tuple[float, float]) -> str:
    """Which template a level uses: the long troffer where it fits, the square one otherwise, and
    the caged bulkhead for a fixture under 0.4 m (smaller than a troffer ever shrinks to fit a
    cell: core/plan.py troffer_size)."""
    if max(size) < 0.4:
        return "Bulkhead 32x32"
    return "Troffer 60x120" if size[1] >= 1.0 else "Troffer 60x60"


TEMPLATES: dict[str, tuple[float, float]] = {
    "Troffer 60x120": (0.6, 1.2),
    "Troffer 60x60": (0.6, 0.6),
    "Bulkhead 32x32": (0.32, 0.32),
}


def template(name: str) -> MeshArrays:
    """The fixture model of TEMPLATES called `name`."""
    build = bulkhead_template if name.startswith("Bulkhead") else troffer_template
    return build(*TEMPLATES[name])


def default_template(size: tuple[float, float]) -> MeshArrays:
    return template(troffer_kind(size))
