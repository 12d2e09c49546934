"""Arches: doorways whose top corners are filled with a curve, as in the Poolrooms (Level 37).

An arch sits in the doorway opening under its header: on both faces of the wall a spandrel runs
from the curve up to door height, and the intrados (the curved underside) spans the wall's
thickness. Each is cut into vertical strips, so every face is a planar quad.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .features import Feature, Features, Story
from .geometry import WALL_MATERIALS, WALLPAPER, doorways, quad_mesh
from .layout import Layout
from .spec import LevelSpec
from .world import Window

STRIPS = 8  # segments across an arch
KEYSTONE_M = 0.05  # the crown stays this far below door height, so no strip is a sliver
RISE_SHARE, RISE_MAX_M = 0.45, 0.9  # the curve's rise: a share of the opening's width, at most this

F64 = npt.NDArray[np.float64]


class ArchFeature(Feature):
    """Arches in the doorways, where doors are lower than the ceiling (so there is a header)."""

    key = "arches"
    solid = ("arches",)

    def wanted(self, spec: LevelSpec) -> bool:
        return spec.door_height < spec.wall_height

    def on_story(self, story: Story, so_far: Features) -> Features:
        return arch_features(story.spec, story.built, story.window)


ARCHES = ArchFeature()


def arch_features(spec: LevelSpec, layout: Layout, window: Window) -> Features:
    """An arch in every doorway (one or two cells wide) of the level's walls."""
    openings = [*_openings(layout.walls_h, spec, along_x=True), *_openings(layout.walls_v.T, spec, along_x=False)]
    if not openings:
        return Features()
    corners = np.concatenate([_arch(spec, *opening) for opening in openings])
    uvs = _uvs(corners)
    mid = corners.mean(axis=1).astype(np.float64)
    piece = window.piece_of_face(mid[:, 0], mid[:, 1])
    return Features(meshes={"arches": quad_mesh(corners, uvs, WALLPAPER, WALL_MATERIALS, piece)})


def _openings(walls: BoolArray, spec: LevelSpec, along_x: bool) -> list[tuple[float, float, float, bool]]:
    """(start, end, wall line, along_x) of each doorway, in metres: runs of one or two doorway edges
    between the faces of the posts on either side."""
    doors = doorways(walls)
    half, cell = spec.wall_thickness / 2, spec.cell_size
    found = []
    for line, row in enumerate(doors):
        padded = np.concatenate([[False], row, [False]])
        starts = np.nonzero(padded[1:-1] & ~padded[:-2])[0]
        ends = np.nonzero(padded[1:-1] & ~padded[2:])[0]
        for first, last in zip(starts.tolist(), ends.tolist(), strict=True):
            found.append((first * cell + half, (last + 1) * cell - half, line * cell, along_x))
    return found


def _arch(spec: LevelSpec, start: float, end: float, line: float, along_x: bool) -> F64:
    """The quads of one arch: front spandrel, back spandrel and intrados, STRIPS of each."""
    top = spec.door_height
    crown = top - KEYSTONE_M
    rise = min(RISE_SHARE * (end - start), RISE_MAX_M, crown - 0.5)
    spring = crown - rise
    s = np.linspace(0.0, 1.0, STRIPS + 1)
    along = start + s * (end - start)
    curve = spring + rise * np.sqrt(np.clip(1 - (2 * s - 1) ** 2, 0, 1))  # a half ellipse
    a0, a1, z0, z1 = along[:-1], along[1:], curve[:-1], curve[1:]
    near, far = line - spec.wall_thickness / 2, line + spec.wall_thickness / 2
    full = np.full(STRIPS, top)
    # Each quad counter-clockwise seen from where it faces: the near face looks to -across,
    # the far face to +across, the intrados down into the opening.
    near_face = _quads([(a0, near, z0), (a1, near, z1), (a1, near, full), (a0, near, full)])
    far_face = _quads([(a1, far, z1), (a0, far, z0), (a0, far, full), (a1, far, full)])
    intrados = _quads([(a0, near, z0), (a0, far, z0), (a1, far, z1), (a1, near, z1)])
    quads = np.concatenate([near_face, far_face, intrados])
    if not along_x:  # walls along y: swap the plan axes and mirror, to keep the faces' sense
        quads = quads[:, ::-1][:, :, [1, 0, 2]]
    return quads


def _quads(points: list[tuple[F64, float | F64, F64]]) -> F64:
    """(n, 4, 3) quads from four corners, each given as (along, across, z) arrays."""
    quads: F64 = np.stack([np.stack(np.broadcast_arrays(a, c, z), axis=-1) for a, c, z in points], axis=1)
    return quads


def _uvs(corners: F64) -> F64:
    """Metres: along the wall and up, like the walls' own UVs."""
    horizontal = np.where(np.ptp(corners[:, :, 0], axis=1) >= np.ptp(corners[:, :, 1], axis=1), 0, 1)
    along = np.take_along_axis(corners[:, :, :2], horizontal[:, None, None].repeat(4, 1), axis=2)[:, :, 0]
    uvs: F64 = np.stack([along, corners[:, :, 2]], axis=-1)
    return uvs
