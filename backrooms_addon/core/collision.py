"""Collision meshes: each piece of a level as the few faces a game engine needs to keep players in."""

from __future__ import annotations

import dataclasses

import numpy as np

from .floors import lifted
from .geometry import MeshArrays, Pieces, ceiling_mesh, concat_meshes, floor_mesh, wall_mesh
from .plan import FloorPlan, LevelPlan, PlacedCopies, on_pieces, wall_style
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
    spec = plan.spec
    parts: list[MeshArrays] = []
    for floor in plan.floors:
        parts.extend(lifted(part, floor.base_z) for part in _story(plan, floor))
    solid = {kind for feature in level_features(spec) for kind in feature.solid}
    # In the plan's order, so the faces come out in the same order whatever the features' order.
    parts.extend(solid_mesh(plan, kind) for kind in plan.meshes if kind in solid)
    return concat_meshes(*(_untextured(part) for part in parts))


def _story(plan: LevelPlan, floor: FloorPlan) -> list[MeshArrays]:
    """One floor's walls, floor and ceiling, on the level's pieces (a floor of another grid has
    pieces of its own: see core/plan.py)."""
    spec = floor.spec
    pieces = Pieces.covering(spec.width, spec.depth, spec.piece_cells)
    width_m, depth_m = spec.width * spec.cell_size, spec.depth * spec.cell_size
    style = dataclasses.replace(wall_style(spec), baseboard=0.0, door_height=None)
    story = [
        wall_mesh(floor.layout, style, pieces),
        floor_mesh(width_m, depth_m, pieces, spec.cell_size, floor.floor_holes),
    ]
    if style_of(spec.style).ceiling:
        story.append(ceiling_mesh(width_m, depth_m, spec.wall_height, pieces, spec.cell_size, floor.ceiling_holes))
    return [on_pieces(part, plan.pieces, spec, plan.spec) for part in story]


def solid_mesh(plan: LevelPlan, kind: str) -> MeshArrays:
    """A solid kind's collision: copies of a few models (furniture) as a box each, else its faces."""
    copies = plan.meshes.copies_of(kind) if kind in plan.meshes.instanced else None
    if isinstance(copies, PlacedCopies):
        return copies.hulls()
    return _stripped(plan.meshes[kind])


def _stripped(mesh: MeshArrays) -> MeshArrays:
    """A feature mesh without its lightmap, so it joins the others."""
    return dataclasses.replace(mesh, lightmap=None)


def _untextured(mesh: MeshArrays) -> MeshArrays:
    """One material for everything: collision carries no look."""
    return dataclasses.replace(
        mesh, material_indices=np.zeros(mesh.face_count, np.int32), materials=COLLISION_MATERIALS
    )
