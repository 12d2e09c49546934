"""Recursive backtracker (randomised depth-first search): long winding corridors."""

from __future__ import annotations

import numpy as np

from ..rng import hash64
from .grid import Passages

_STREAM = 0x4241434B  # "BACK"
# (dx, dy) of the four neighbours: east, north, west, south.
_STEPS = ((1, 0), (0, 1), (-1, 0), (0, -1))


def carve_backtracker(seed: int, width: int, depth: int) -> Passages:
    """Carve a perfect maze by depth-first search with per-cell random neighbour order."""
    cells = width * depth
    keys = hash64(seed, _STREAM, np.arange(cells)[:, None], np.arange(4)[None, :])
    orders = np.argsort(keys, axis=1, kind="stable").tolist()
    east = np.zeros((depth, width), np.bool_)
    north = np.zeros((depth, width), np.bool_)
    visited = bytearray(cells)
    visited[0] = 1
    stack = [(0, 0)]  # (cell, how many of its directions were tried)
    while stack:
        cell, tried = stack[-1]
        if tried == 4:
            stack.pop()
            continue
        stack[-1] = (cell, tried + 1)
        x, y = cell % width, cell // width
        dx, dy = _STEPS[orders[cell][tried]]
        nx, ny = x + dx, y + dy
        if not (0 <= nx < width and 0 <= ny < depth) or visited[ny * width + nx]:
            continue
        visited[ny * width + nx] = 1
        if dx:
            east[y, min(x, nx)] = True
        else:
            north[min(y, ny), x] = True
        stack.append((ny * width + nx, 0))
    return Passages(east, north)
