"""Thinning by density: every wall edge has a fixed rank, and a wall stands where rank < density.

Because the rank never depends on the density, raising the density only ever adds walls: the wall
count is monotonic, and it moves in small steps, so the change is smooth. Ranks are blended from a
coarse draw (a whole wall, a run of edges) and a fine one, then mapped back to a uniform
distribution so that density d keeps about a fraction d of the walls.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def blend_ranks(coarse: FloatArray, fine: FloatArray, major: float) -> FloatArray:
    """major * coarse + (1 - major) * fine for uniforms in [0, 1), made uniform again by its CDF."""
    a, b = max(major, 1 - major), min(major, 1 - major)
    z = major * coarse + (1 - major) * fine
    # The sum of two scaled uniforms has a trapezoid density: quadratic ends, a flat middle.
    low = z * z / (2 * a * b)
    middle = (z - b / 2) / a
    high = 1 - (1 - z) ** 2 / (2 * a * b)
    ranked: FloatArray = np.where(z < b, low, np.where(z < a, middle, high))
    return ranked
