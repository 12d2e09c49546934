"""Level 2's textures: damp tunnel concrete, its grimy floor, rusty iron and flaking pipe paint.

Made by materials/make_textures.py (`.venv-5.0/bin/python materials/make_textures.py tunnel_concrete`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from make_textures import noise, normal_map, tint

F = npt.NDArray[np.float64]


def _streaks(stream: int) -> F:
    """Damp streaks running down a wall: narrow columns of darkening, patchy along their length."""
    columns = noise(stream, 50)[0]  # one row of noise: where along the wall water runs down
    lines = np.clip((columns - 0.55) * 5, 0, 1)[None, :]
    runs = np.clip(noise(stream + 1, 5) * 2.5 - 1.1, 0, 1)  # wet stretches, fading in and out
    return lines * runs


def tunnel_concrete() -> dict[str, F]:
    """Cast concrete of the tunnels (a tile is 2 m): cold grey, mottled, fine pores, and dark damp
    streaks and blotches where the pipes sweat."""
    mottle, pores, blotch, grime = noise(201, 5), noise(202, 110), noise(203, 3), noise(205, 12)
    damp = np.maximum(_streaks(204), 0.6 * np.clip((blotch - 0.68) * 5, 0, 1))
    shade = 0.5 + 0.3 * (mottle - 0.5) + 0.2 * (grime - 0.5) - 0.2 * (pores < 0.1) - 0.6 * damp
    return {
        "color": tint("#6C6D69", shade, 0.7),
        "roughness": (0.88 + 0.1 * pores - 0.35 * damp)[..., None] * np.ones(3),
        "normal": normal_map(0.3 * pores + 0.4 * mottle, 1.5),
    }


def tunnel_floor() -> dict[str, F]:
    """The tunnel floor (a tile is 2 m): dark worn concrete, grime in patches, hairline cracks."""
    mottle, grain, grime = noise(211, 4), noise(212, 80), noise(213, 6)
    cracks = (np.abs(noise(214, 5) - 0.5) < 0.004).astype(float)
    shade = 0.5 + 0.25 * (mottle - 0.5) + 0.15 * (grain - 0.5) - 0.5 * np.clip(grime - 0.55, 0, 1) - 0.3 * cracks
    return {
        "color": tint("#4A4946", shade, 0.7),
        "roughness": (0.72 + 0.18 * grain)[..., None] * np.ones(3),
        "normal": normal_map(0.3 * grain - 0.8 * cracks, 2.0),
    }


def tunnel_rust() -> dict[str, F]:
    """Rusty iron pipe (a tile is 1 m): brown-orange scale in blotches over dark corroded metal."""
    blotch, scale, pits = noise(221, 6), noise(222, 50), noise(223, 120)
    rust = np.clip((blotch - 0.5) * 3, 0, 1)[..., None]
    metal = tint("#3B3835", 0.5 + 0.3 * (scale - 0.5), 0.5)
    scale_colour = tint("#7A3F1C", 0.5 + 0.6 * (scale - 0.5) - 0.2 * (pits < 0.2), 0.8)
    return {
        "color": metal * (1 - rust) + scale_colour * rust,
        "roughness": (0.55 + 0.4 * rust[..., 0] + 0.05 * pits)[..., None] * np.ones(3),
        "normal": normal_map(0.6 * rust[..., 0] * scale + 0.2 * pits, 3.0),
    }


def tunnel_paint() -> dict[str, F]:
    """Painted steel pipe (a tile is 1 m): dull grey-green paint flaking to rust in spots."""
    flakes, grain = noise(231, 14), noise(232, 90)
    bare = np.clip((flakes - 0.7) * 8, 0, 1)[..., None]
    paint = tint("#56605A", 0.5 + 0.2 * (grain - 0.5), 0.5)
    rust = tint("#6E3A1A", 0.5 + 0.4 * (grain - 0.5), 0.6)
    return {
        "color": paint * (1 - bare) + rust * bare,
        "roughness": (0.5 + 0.4 * bare[..., 0] + 0.05 * grain)[..., None] * np.ones(3),
        "normal": normal_map(0.3 * bare[..., 0] + 0.1 * grain, 2.0),
    }


TEXTURES: dict[str, Callable[[], dict[str, F]]] = {
    "tunnel_concrete": tunnel_concrete,
    "tunnel_floor": tunnel_floor,
    "tunnel_rust": tunnel_rust,
    "tunnel_paint": tunnel_paint,
}
