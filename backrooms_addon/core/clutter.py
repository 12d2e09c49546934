"""Level 1's clutter: wooden crates in the corners of rooms and pipes running under the ceiling.

Both come from world coordinates alone (so neighbouring regions agree) and never stand in the way:
a crate fills one corner of a cell, a pipe runs above head height, so every floor stays walkable.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import numpy.typing as npt

from .algorithms.grid import BoolArray
from .features import Feature, Features, Story
from .geometry import MeshArrays, concat_meshes, level_faces, quad_mesh, vertical_faces
from .layout import Layout
from .rng import uniform
from .spec import LevelSpec
from .world import Window

CRATE_SHARE = 0.07  # of walkable cells with a wall on their south and west sides
CRATE_SIZES_M = (0.8, 1.0, 1.2)
PIPE_EVERY = 5  # a pair of pipes along every fifth world row of cells
PIPE_RADIUS_M = 0.07
PIPE_SIDES = 8
CLUTTER_MATERIALS = ("crate", "pipe")
CRATE, PIPE = 0, 1
_CRATE_STREAM = 0x43524154  # "CRAT"

F64 = npt.NDArray[np.float64]


class ClutterFeature(Feature):
    """Crates and pipes; planned after the features that cut holes, so no crate stands over one."""

    key = "clutter"
    solid = ("clutter",)

    def on_story(self, story: Story, so_far: Features) -> Features:
        return clutter_features(story.spec, story.built, so_far.taken, story.window)


CLUTTER = ClutterFeature()


def clutter_features(spec: LevelSpec, layout: Layout, taken: BoolArray | None, window: Window) -> Features:
    """Crates and pipes for the level, as one feature mesh, away from the cells already `taken`."""
    crates, cells = _crates(spec, layout, taken, window)
    meshes = [part for part in (crates, _pipes(spec, window)) if part.face_count]
    return Features(meshes={"clutter": concat_meshes(*meshes)}, occupied=cells) if meshes else Features()


def _crates(spec: LevelSpec, layout: Layout, taken: BoolArray | None, window: Window) -> tuple[MeshArrays, BoolArray]:
    """A crate (or two stacked) in the south-west corner of some cells walled on both those sides;
    and the cells they stand in."""
    free = ~layout.solid if taken is None else ~layout.solid & ~taken
    ys, xs = np.nonzero(free)
    cornered = layout.walls_h[ys, xs] & layout.walls_v[ys, xs]
    ox, oy = spec.origin
    draw = uniform(spec.seed, _CRATE_STREAM, xs + ox, ys + oy)
    chosen = cornered & (draw < CRATE_SHARE)
    xs, ys, draw = xs[chosen], ys[chosen], draw[chosen] / CRATE_SHARE  # draw again in [0, 1)
    cells = np.zeros_like(layout.solid)
    cells[ys, xs] = True
    size = np.asarray(CRATE_SIZES_M)[(draw * len(CRATE_SIZES_M)).astype(int) % len(CRATE_SIZES_M)]
    size = np.minimum(size, spec.cell_size / 2)
    inset = spec.wall_thickness / 2 + 0.05
    x0, y0 = xs * spec.cell_size + inset, ys * spec.cell_size + inset
    boxes = [_box(x0, y0, x0 + size, y0 + size, np.zeros_like(size), size)]
    stacked = draw > 0.6  # some carry a smaller crate on top
    if stacked.any():
        small = size[stacked] * 0.7
        bx, by = x0[stacked] + 0.1, y0[stacked] + 0.1
        boxes.append(_box(bx, by, bx + small, by + small, size[stacked], size[stacked] + small))
    corners = np.concatenate([b[0] for b in boxes])
    uvs = np.concatenate([b[1] for b in boxes])
    mid = corners.mean(axis=1).astype(np.float64)
    return quad_mesh(corners, uvs, CRATE, CLUTTER_MATERIALS, window.piece_at(mid[:, 0], mid[:, 1])), cells


def _box(x0: F64, y0: F64, x1: F64, y1: F64, z0: F64, z1: F64) -> tuple[F64, F64]:
    """Four sides and a lid of each box (no bottom: it stands on something), facing outwards."""
    if not len(x0):
        return np.zeros((0, 4, 3)), np.zeros((0, 4, 2))
    faces = []
    for k in range(len(x0)):
        sides = [
            vertical_faces(x0[k : k + 1], y0[k : k + 1], x1[k : k + 1], y0[k : k + 1], z0[k], z1[k], CRATE),
            vertical_faces(x1[k : k + 1], y0[k : k + 1], x1[k : k + 1], y1[k : k + 1], z0[k], z1[k], CRATE),
            vertical_faces(x1[k : k + 1], y1[k : k + 1], x0[k : k + 1], y1[k : k + 1], z0[k], z1[k], CRATE),
            vertical_faces(x0[k : k + 1], y1[k : k + 1], x0[k : k + 1], y0[k : k + 1], z0[k], z1[k], CRATE),
            level_faces(x0[k : k + 1], y0[k : k + 1], x1[k : k + 1], y1[k : k + 1], z1[k], up=True, material=CRATE),
        ]
        faces.extend(sides)
    corners = np.concatenate([f.corners for f in faces]).astype(np.float64)
    uvs = np.concatenate([f.uvs for f in faces]).astype(np.float64)
    return corners, uvs


def _pipes(spec: LevelSpec, window: Window) -> MeshArrays:
    """Two pipes along x under the ceiling, on every PIPE_EVERY-th world row, cut at piece borders."""
    oy = spec.origin[1]
    rows = [j for j in range(spec.depth) if (j + oy) % PIPE_EVERY == 2]
    if not rows:
        return quad_mesh(np.zeros((0, 4, 3)), np.zeros((0, 4, 2)), PIPE, CLUTTER_MATERIALS)
    piece_m = window.pieces.cells * spec.cell_size
    cuts = np.append(np.arange(0.0, spec.width * spec.cell_size, piece_m), spec.width * spec.cell_size)
    angles = np.linspace(0, 2 * np.pi, PIPE_SIDES + 1)
    meshes = []
    for row in rows:
        for offset, radius in ((0.25, PIPE_RADIUS_M), (0.5, PIPE_RADIUS_M * 0.6)):
            y = (row + offset) * spec.cell_size
            z = spec.wall_height - 0.25
            for a, b in pairwise(cuts.tolist()):
                meshes.append(_cylinder(a, b, y, z, radius, angles, window))
    return concat_meshes(*meshes)


def _cylinder(x0: float, x1: float, y: float, z: float, radius: float, angles: F64, window: Window) -> MeshArrays:
    """A prism of PIPE_SIDES faces along x, facing outwards."""
    cy, cz = y + radius * np.cos(angles), z + radius * np.sin(angles)
    corners = np.empty((PIPE_SIDES, 4, 3))
    corners[:, 0] = np.stack([np.full(PIPE_SIDES, x0), cy[:-1], cz[:-1]], -1)
    corners[:, 1] = np.stack([np.full(PIPE_SIDES, x0), cy[1:], cz[1:]], -1)
    corners[:, 2] = np.stack([np.full(PIPE_SIDES, x1), cy[1:], cz[1:]], -1)
    corners[:, 3] = np.stack([np.full(PIPE_SIDES, x1), cy[:-1], cz[:-1]], -1)
    arc = radius * angles
    uvs = np.empty((PIPE_SIDES, 4, 2))
    uvs[:, :, 0] = np.array([x0, x0, x1, x1])[None, :]
    uvs[:, (0, 3), 1] = arc[:-1, None]
    uvs[:, (1, 2), 1] = arc[1:, None]
    middle = np.full(PIPE_SIDES, (x0 + x1) / 2)
    return quad_mesh(corners, uvs, PIPE, CLUTTER_MATERIALS, window.piece_at(middle, np.full(PIPE_SIDES, y)))
