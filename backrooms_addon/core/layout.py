"""Layout: the walls of a level on its cell grid, carved by a maze algorithm and thinned by density."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .algorithms import ALGORITHMS
from .algorithms.grid import BoolArray, Passages
from .rng import uniform
from .spec import LevelSpec

_DENSITY_STREAM = 0x44454E53  # "DENS"


@dataclass(frozen=True)
class Layout:
    """Walls on cell edges.

    walls_h[y, x] is the wall along the south edge of cell (x, y), shape (depth + 1, width);
    walls_v[y, x] is the wall along the west edge of cell (x, y), shape (depth, width + 1).
    The outer rows and columns are the perimeter.
    """

    walls_h: BoolArray
    walls_v: BoolArray

    @property
    def width(self) -> int:
        return int(self.walls_h.shape[1])

    @property
    def depth(self) -> int:
        return int(self.walls_v.shape[0])

    def wall_count(self) -> int:
        """Number of wall edges, perimeter included."""
        return int(self.walls_h.sum() + self.walls_v.sum())

    def digest(self) -> str:
        """SHA-256 of the wall arrays: equal digests mean identical layouts."""
        sha = hashlib.sha256()
        for array in (self.walls_h, self.walls_v):
            sha.update(np.asarray(array.shape, np.int64).tobytes())
            sha.update(np.packbits(array).tobytes())
        return sha.hexdigest()


def build_layout(spec: LevelSpec) -> Layout:
    """Carve the spec's maze, then open walls at random to reach the spec's density."""
    passages = ALGORITHMS[spec.algorithm](spec.seed, spec.width, spec.depth)
    walls_h, walls_v = walls_from_passages(passages)
    _thin_walls(spec, walls_h, walls_v)
    return Layout(walls_h, walls_v)


def walls_from_passages(passages: Passages) -> tuple[BoolArray, BoolArray]:
    """Every edge without a passage is a wall; the border is always walled."""
    depth, width = passages.east.shape
    walls_h = np.ones((depth + 1, width), np.bool_)
    walls_v = np.ones((depth, width + 1), np.bool_)
    walls_h[1:-1, :] = ~passages.north[:-1, :]
    walls_v[:, 1:-1] = ~passages.east[:, :-1]
    return walls_h, walls_v


def _thin_walls(spec: LevelSpec, walls_h: BoolArray, walls_v: BoolArray) -> None:
    """Keep each interior wall with probability `density`.

    Each edge draws one fixed number, so raising the density only ever adds walls back:
    the wall count is monotonic in density. Removing walls never disconnects a maze.
    """
    ox, oy = spec.origin
    for orientation, walls in enumerate((walls_h, walls_v)):
        inner = walls[1:-1, :] if orientation == 0 else walls[:, 1:-1]
        ys, xs = np.indices(inner.shape, dtype=np.int64)
        # Edges are keyed by world coordinates so a shifted region draws the same numbers.
        key_x = xs + ox + (1 if orientation == 1 else 0)
        key_y = ys + oy + (1 if orientation == 0 else 0)
        draw = uniform(spec.seed, _DENSITY_STREAM, key_x, key_y, orientation)
        inner &= draw < spec.density
