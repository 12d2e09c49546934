"""Top-down pictures of layouts, drawn from the cells alone, into docs/layouts/.

One PNG per algorithm at density 1 (the algorithm itself, nothing thinned), plus the default
algorithm at a few densities. Usage: .venv-5.0/bin/python tools/layout_pictures.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.algorithms import ALGORITHMS
from backrooms_addon.core.layout import EAST, NORTH, SOLID, SOUTH, WEST, build_layout
from backrooms_addon.core.spec import LevelSpec

FLOOR = (214, 196, 110)
WALL = (60, 52, 30)
PILLAR = (110, 96, 50)
GRID = (200, 182, 98)


def draw(cells: npt.NDArray[np.uint8], scale: int = 8, chunk: int = 0) -> Image.Image:
    """cells[j, i] as a picture, north up: walls as dark lines, pillars as dark squares."""
    depth, width = cells.shape
    image = np.empty((depth * scale + 1, width * scale + 1, 3), np.uint8)
    image[:] = FLOOR
    if chunk:
        image[:: chunk * scale, :] = GRID
        image[:, :: chunk * scale] = GRID
    for j in range(depth):
        row = (depth - 1 - j) * scale  # image rows go down, world y goes up
        for i in range(width):
            bits, col = int(cells[j, i]), i * scale
            if bits & SOLID:
                image[row + 2 : row + scale - 1, col + 2 : col + scale - 1] = PILLAR
            if bits & NORTH:
                image[row, col : col + scale + 1] = WALL
            if bits & SOUTH:
                image[row + scale, col : col + scale + 1] = WALL
            if bits & WEST:
                image[row : row + scale + 1, col] = WALL
            if bits & EAST:
                image[row : row + scale + 1, col + scale] = WALL
    return Image.fromarray(image)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/layouts"))
    parser.add_argument("--size", type=int, default=64, help="cells per side (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pictures = {name: LevelSpec(algorithm=name, density=1.0) for name in ALGORITHMS}
    for density in (0.0, 0.3, 0.6):
        pictures[f"backrooms-density-{density:g}"] = LevelSpec(density=density)
    for name, spec in pictures.items():
        spec = spec.replace(seed=args.seed, width=args.size, depth=args.size)
        path = args.out / f"{name}.png"
        draw(build_layout(spec).cells(), chunk=spec.chunk_size).save(path, optimize=True)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
