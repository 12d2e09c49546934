"""Top-down pictures of layouts as numpy RGB arrays: the panel's preview and the docs' pictures."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .layout import Layout, build_layout
from .spec import LevelSpec

FLOOR = (214, 196, 110)
WALL = (60, 52, 30)
PILLAR = (110, 96, 50)
GRID = (200, 182, 98)

Image = npt.NDArray[np.uint8]


def draw_layout(layout: Layout, scale: int = 8, chunk: int = 0) -> Image:
    """The layout seen from above, north up: (rows, columns, 3) uint8, image row 0 at the top.

    Each cell is `scale` pixels; walls are dark lines on cell edges, pillars dark squares, and
    chunk borders (every `chunk` cells, if given) faint lines.
    """
    depth, width = layout.depth, layout.width
    image = np.empty((depth * scale + 1, width * scale + 1, 3), np.uint8)
    image[:] = FLOOR
    if chunk:
        image[:: chunk * scale, :] = GRID
        image[:, :: chunk * scale] = GRID
    # Drawn with y up, then flipped so that north is at the top.
    ys, xs = np.nonzero(layout.solid)
    for dy in range(2, scale - 1):
        for dx in range(2, scale - 1):
            image[ys * scale + dy, xs * scale + dx] = PILLAR
    ys, xs = np.nonzero(layout.walls_h)
    for k in range(scale + 1):
        image[ys * scale, xs * scale + k] = WALL
    ys, xs = np.nonzero(layout.walls_v)
    for k in range(scale + 1):
        image[ys * scale + k, xs * scale] = WALL
    flipped: Image = image[::-1]
    return flipped


def preview(spec: LevelSpec, pixels: int = 128) -> Image:
    """A square preview of the spec's layout (its south-west corner if the level is large)."""
    cells = max(spec.width, spec.depth)
    scale = max(1, pixels // min(cells, pixels // 2))
    shown = spec.replace(width=min(spec.width, pixels // scale), depth=min(spec.depth, pixels // scale))
    image = draw_layout(build_layout(shown), scale)
    square = np.empty((pixels, pixels, 3), np.uint8)
    square[:] = FLOOR
    h, w = min(pixels, image.shape[0]), min(pixels, image.shape[1])
    square[pixels - h :, :w] = image[image.shape[0] - h :, :w]
    return square
