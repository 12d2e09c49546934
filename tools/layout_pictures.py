"""Top-down pictures of layouts, drawn from the cells alone, into docs/layouts/.

One PNG per algorithm at density 1 (the algorithm itself, nothing thinned), plus the default
algorithm at a few densities. Usage: .venv-5.0/bin/python tools/layout_pictures.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backrooms_addon.core.algorithms import ALGORITHMS
from backrooms_addon.core.layout import build_layout
from backrooms_addon.core.preview import draw_layout
from backrooms_addon.core.spec import LevelSpec


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
        Image.fromarray(draw_layout(build_layout(spec), chunk=spec.chunk_size)).save(path, optimize=True)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
