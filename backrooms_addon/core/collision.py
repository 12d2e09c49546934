"""Collision meshes: each piece of a level as the few faces a game engine needs to keep players in."""

from __future__ import annotations

import dataclasses

import numpy as np

from .geometry import MeshArrays, Pieces, ceiling_mesh, concat_meshes, floor_mesh, wall_mesh
from .layout import Layout, build_layout
from .plan import level_features, shaped, wall_style, walled
from .spec import LevelSpec
from .styles import style_of

COLLISION_MATERIALS = ("collision",)
# Feature meshes a player stands on or bumps into (water and glass are left to the engine).
SOLID_FEATURES = ("pools", "pitfalls", "stairs")


def collision_mesh(spec: LevelSpec, layout: Layout | None = None) -> MeshArrays:
    """The level's collision: walls, pillars, floor and ceiling, each face tagged with its piece.

    The render walls' outline is reused with nothing but the wall solid below door height: so
    walls are full-height runs without baseboard bands (a band splits every run in two), and
    doorways without headers or soffits (nobody walks at 2.1 m). Pillars keep their four sides;
    floor and ceiling stay one quad per piece. `layout` is the spec's layout, when already built.
    """
    layout = walled(spec, shaped(spec, layout if layout is not None else build_layout(spec)))
    style = dataclasses.replace(wall_style(spec), baseboard=0.0, door_height=None)
    pieces = Pieces.covering(spec.width, spec.depth, spec.piece_cells)
    width_m, depth_m = spec.width * spec.cell_size, spec.depth * spec.cell_size
    features = level_features(spec, layout, pieces)
    parts = [
        wall_mesh(layout, style, pieces),
        floor_mesh(width_m, depth_m, pieces, spec.cell_size, features.floor_holes),
    ]
    if style_of(spec.level).ceiling:
        parts.append(ceiling_mesh(width_m, depth_m, spec.wall_height, pieces, spec.cell_size, features.ceiling_holes))
    parts.extend(_stripped(mesh) for kind, mesh in features.meshes.items() if kind in SOLID_FEATURES)
    return concat_meshes(*(_untextured(part) for part in parts))


def _stripped(mesh: MeshArrays) -> MeshArrays:
    """A feature mesh without its lightmap, so it joins the others."""
    return dataclasses.replace(mesh, lightmap=None)


def _untextured(mesh: MeshArrays) -> MeshArrays:
    """One material for everything: collision carries no look."""
    return dataclasses.replace(
        mesh, material_indices=np.zeros(mesh.face_count, np.int32), materials=COLLISION_MATERIALS
    )
