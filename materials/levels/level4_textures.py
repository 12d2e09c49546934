"""Level 4's textures: carpet tiles, painted office walls, the furniture's laminate, metal, fabric
and water bottle, and dark window glass (materials/make_textures.py writes them)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from make_textures import SIZE, noise, normal_map, tint

F = npt.NDArray[np.float64]


def _grid() -> tuple[F, F]:
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    return y, x


def carpet_tile() -> dict[str, F]:
    """Grey-blue carpet tiles, 0.5 m (four by four per 2 m texture), laid with the pile turned a
    quarter turn from tile to tile, so neighbours differ in shade; thin seams, worn patches."""
    y, x = _grid()
    checker = ((np.floor(x * 4) + np.floor(y * 4)) % 2)[..., None]
    seams = (np.minimum((x * 4) % 1, 1 - (x * 4) % 1) < 0.012) | (np.minimum((y * 4) % 1, 1 - (y * 4) % 1) < 0.012)
    pile = noise(4001, 100)
    worn = noise(4002, 3)
    shade = 0.5 + 0.35 * (pile - 0.5) + 0.5 * (worn - 0.5) - 0.35 * seams
    colour = tint("#5E6670", shade, 0.6) * (0.92 + 0.1 * checker)
    return {
        "color": np.clip(colour, 0, 1),
        "roughness": (0.93 + 0.05 * pile)[..., None] * np.ones(3),
        "normal": normal_map(pile - 0.6 * seams, 4.0),
    }


def office_wall() -> dict[str, F]:
    """Off-white painted plasterboard (a tile is 2 m): a faint roller texture, grime that gathers
    low on the wall and a board joint every metre."""
    y, x = _grid()
    roller = noise(4011, 70)
    grime = noise(4012, 3)
    low = np.clip(1.0 - y * 2.5, 0, 1)  # v runs up the wall: grime near the floor
    joint = (np.abs(((x * 2) % 1) - 0.5) > 0.497).astype(float)
    shade = 0.55 + 0.12 * (roller - 0.5) - 0.35 * low * grime - 0.25 * (grime - 0.5) - 0.1 * joint
    return {
        "color": tint("#D8D5CA", shade, 0.35),
        "roughness": (0.82 + 0.08 * roller)[..., None] * np.ones(3),
        "normal": normal_map(0.5 * roller - joint, 1.5),
    }


def office_baseboard() -> dict[str, F]:
    """Dark grey vinyl skirting, scuffed."""
    scuffs = noise(4021, 20)
    return {
        "color": tint("#3A3B3C", 0.5 + 0.3 * (scuffs - 0.5), 0.5),
        "roughness": np.full((SIZE, SIZE, 3), 0.5),
        "normal": normal_map(scuffs, 0.5),
    }


def furniture_laminate() -> dict[str, F]:
    """Pale beech-effect desk laminate (a tile is 1 m): fine grain along u, dust."""
    y, _ = _grid()
    grain = noise(4031, 40)
    streaks = np.sin(y * 2 * np.pi * 22 + 8 * noise(4032, 5)) * 0.5 + 0.5
    dust = noise(4033, 6)
    shade = 0.5 + 0.12 * (streaks - 0.5) + 0.1 * (grain - 0.5) + 0.2 * (dust - 0.5)
    return {
        "color": tint("#C4AC88", shade, 0.5),
        "roughness": (0.45 + 0.2 * dust)[..., None] * np.ones(3),
        "normal": normal_map(0.2 * streaks, 0.5),
    }


def furniture_metal() -> dict[str, F]:
    """Grey powder-coated steel (cabinets, legs, chair bases): orange-peel texture, scratches."""
    peel = noise(4041, 80)
    scratches = (np.abs(noise(4042, 12) - 0.5) < 0.005).astype(float)
    shade = 0.5 + 0.1 * (peel - 0.5) + 0.3 * scratches
    return {
        "color": tint("#8C8E8F", shade, 0.5),
        "roughness": (0.5 + 0.15 * peel - 0.2 * scratches)[..., None] * np.ones(3),
        "normal": normal_map(peel - scratches, 1.0),
    }


def furniture_fabric() -> dict[str, F]:
    """Blue-grey woven fabric of partitions and chair seats: a fine weave, pilling, faded spots."""
    y, x = _grid()
    weave = (np.sin(x * 2 * np.pi * 64) * np.sin(y * 2 * np.pi * 64)) * 0.5 + 0.5
    fade = noise(4051, 4)
    shade = 0.5 + 0.2 * (weave - 0.5) + 0.35 * (fade - 0.5)
    return {
        "color": tint("#4F5A6B", shade, 0.6),
        "roughness": np.full((SIZE, SIZE, 3), 0.95),
        "normal": normal_map(weave, 1.5),
    }


def water_bottle() -> dict[str, F]:
    """The cooler's blue plastic bottle: light blue, glossy, faint moulding lines."""
    y, _ = _grid()
    ribs = (np.abs(((y * 6) % 1) - 0.5) > 0.46).astype(float)
    cloud = noise(4061, 5)
    shade = 0.55 + 0.15 * (cloud - 0.5) - 0.15 * ribs
    return {
        "color": tint("#7FB4D8", shade, 0.5),
        "roughness": np.full((SIZE, SIZE, 3), 0.2),
        "normal": normal_map(ribs, 1.0),
    }


def office_window() -> dict[str, F]:
    """Glass onto nothing: almost black, a faint grey haze of dust and smears, mirror-smooth."""
    smears = noise(4071, 4)
    dust = noise(4072, 60)
    shade = 0.5 + 0.4 * (smears - 0.5) + 0.2 * (dust - 0.5)
    return {
        "color": tint("#0B0C0E", shade, 0.8),
        "roughness": (0.04 + 0.12 * smears * dust)[..., None] * np.ones(3),
        "normal": normal_map(0.05 * smears, 0.5),
    }


TEXTURES: dict[str, Callable[[], dict[str, F]]] = {
    "carpet_tile": carpet_tile,
    "office_wall": office_wall,
    "office_baseboard": office_baseboard,
    "furniture_laminate": furniture_laminate,
    "furniture_metal": furniture_metal,
    "furniture_fabric": furniture_fabric,
    "water_bottle": water_bottle,
    "office_window": office_window,
}
