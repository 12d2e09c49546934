"""Level !'s textures: worn institutional paint on the walls and scuffed linoleum tiles on the floor."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from make_textures import SIZE, noise, normal_map, tint

from backrooms_addon.core.rng import uniform

F = npt.NDArray[np.float64]


def institutional_wall() -> dict[str, F]:
    """Pale green-grey gloss paint over block work (a tile is 2 m): mortar lines every 0.2 m by
    0.4 m, grime in blotches, and chips where the paint came away to the grey beneath."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    per_y, per_x = SIZE // 10, SIZE // 5
    course = y // per_y
    shifted = (x + (course % 2) * per_x // 2) % per_x  # running bond: every other course shifted
    mortar = ((y % per_y < 2) | (shifted < 2)).astype(float)
    grime, grain = noise(9001, 4), noise(9002, 90)
    chips = (noise(9003, 24) > 0.82).astype(float)
    shade = 0.5 + 0.35 * (grime - 0.5) + 0.1 * (grain - 0.5) - 0.2 * mortar
    paint = tint("#A9B59F", shade, 0.7)
    bare = tint("#77746C", shade, 0.5)
    return {
        "color": paint * (1 - chips[..., None]) + bare * chips[..., None],
        "roughness": (0.45 + 0.2 * grime + 0.3 * chips)[..., None] * np.ones(3),
        "normal": normal_map(0.3 * grain - 0.8 * mortar - 0.5 * chips, 2.0),
    }


def linoleum() -> dict[str, F]:
    """Scuffed linoleum tiles, 0.4 m (five across a 2 m tile), alternate ones a shade darker,
    with scuffs, dirt in the joints and a worn satin sheen."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    per = SIZE // 5
    fx, fy = (x % per) / per, (y % per) / per
    joint = (np.minimum(np.minimum(fx, 1 - fx), np.minimum(fy, 1 - fy)) < 0.015).astype(float)
    checker = ((x // per + y // per) % 2).astype(float)
    tile = uniform(7, 9004, x // per, y // per)
    scuffs, grain = noise(9005, 12), noise(9006, 100)
    shade = 0.5 - 0.15 * checker + 0.1 * (tile - 0.5) + 0.2 * (scuffs - 0.5) + 0.08 * (grain - 0.5) - 0.4 * joint
    return {
        "color": tint("#8C8A7E", shade, 0.8),
        "roughness": (0.35 + 0.35 * scuffs + 0.2 * joint)[..., None] * np.ones(3),
        "normal": normal_map(0.2 * grain - 0.6 * joint, 2.0),
    }


TEXTURES = {"institutional_wall": institutional_wall, "linoleum": linoleum}
