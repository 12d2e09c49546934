"""Collision meshes: each piece of a level as the few faces a game engine needs to keep players in."""

from __future__ import annotations

import dataclasses

import numpy as np

from .floors import lifted
from .geometry import MeshArrays, ceiling_mesh, concat_meshes, floor_mesh, wall_mesh
from .plan import LevelPlan, wall_style
from .registry import level_features
from .styles import style_of

COLLISION_MATERIALS = ("collision",)


def collision_mesh(plan: LevelPlan) -> MeshArrays:
    """The level's collision, from the plan that built it: walls, pillars, floors and ceilings of
    every floor, with their openings, and the meshes its features call solid (stairs, pitfall
    shafts, basins, ...); each face tagged with its piece.

    The render walls' outline is reused with nothing but the wall solid below door height: so
    walls are full-height runs without baseboard bands (a band splits every run in two), and
    doorways without headers or soffits (nobody walks at 2.1 m). Pillars keep their four sides;
    floor and ceiling stay one quad per piece where they have no openings.
    """
    spec, pieces = plan.spec, plan.pieces
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
    solid = {kind for feature in level_features(spec) for kind in feature.solid}
    # In the plan's order, so the faces come out in the same order whatever the features' order.
    parts.extend(_stripped(mesh) for kind, mesh in plan.meshes.items() if kind in solid)
    return concat_meshes(*(_untextured(part) for part in parts))


def _stripped(mesh: MeshArrays) -> MeshArrays:
    """A feature mesh without its lightmap, so it joins the others."""
    return dataclasses.replace(mesh, lightmap=None)


def _untextured(mesh: MeshArrays) -> MeshArrays:
    """One material for everything: collision carries no look."""
    return dataclasses.replace(
        mesh, material_indices=np.zeros(mesh.face_count, np.int32), materials=COLLISION_MATERIALS
    )
