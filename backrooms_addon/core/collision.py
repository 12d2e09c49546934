"""Collision meshes: each piece of a level as the few faces a game engine needs to keep players in."""

from __future__ import annotations

import dataclasses

import numpy as np

from .floors import lifted
from .geometry import MeshArrays, ceiling_mesh, concat_meshes, floor_mesh, wall_mesh
from .plan import LevelPlan, plan_level, wall_style
from .spec import LevelSpec
from .styles import style_of

COLLISION_MATERIALS = ("collision",)
# Feature meshes a player stands on or bumps into (water and glass are left to the engine).
SOLID_FEATURES = ("pools", "pitfalls", "stairs", "arches", "clutter", "court_walls", "windows")


def collision_mesh(spec: LevelSpec, plan: LevelPlan | None = None) -> MeshArrays:
    """The level's collision: walls, pillars, floors and ceilings of every floor, with their
    openings, and the stairs and pitfall shafts; each face tagged with its piece.

    The render walls' outline is reused with nothing but the wall solid below door height: so
    walls are full-height runs without baseboard bands (a band splits every run in two), and
    doorways without headers or soffits (nobody walks at 2.1 m). Pillars keep their four sides;
    floor and ceiling stay one quad per piece where they have no openings. `plan` is the spec's
    plan, when already made.
    """
    plan = plan if plan is not None else plan_level(spec)
    pieces = plan.pieces
    width_m, depth_m = spec.width * spec.cell_size, spec.depth * spec.cell_size
    style = dataclasses.replace(wall_style(spec), baseboard=0.0, door_height=None)
    parts: list[MeshArrays] = []
    for floor in plan.floors:
        story = [
            wall_mesh(floor.layout, style, pieces),
            floor_mesh(width_m, depth_m, pieces, spec.cell_size, floor.floor_holes),
        ]
        if style_of(spec.style).ceiling:
            story.append(ceiling_mesh(width_m, depth_m, spec.wall_height, pieces, spec.cell_size, floor.ceiling_holes))
        parts.extend(lifted(part, floor.base_z) for part in story)
    parts.extend(_stripped(mesh) for kind, mesh in plan.meshes.items() if kind in SOLID_FEATURES)
    return concat_meshes(*(_untextured(part) for part in parts))


def _stripped(mesh: MeshArrays) -> MeshArrays:
    """A feature mesh without its lightmap, so it joins the others."""
    return dataclasses.replace(mesh, lightmap=None)


def _untextured(mesh: MeshArrays) -> MeshArrays:
    """One material for everything: collision carries no look."""
    return dataclasses.replace(
        mesh, material_indices=np.zeros(mesh.face_count, np.int32), materials=COLLISION_MATERIALS
    )
