"""Level 4, the Abandoned Office: carpet tiles, off-white walls, many dead troffers, the furniture
left behind and windows onto blackness (core/furniture.py)."""

from __future__ import annotations

from ..furniture import FURNITURE_FEATURE, WINDOWS_FEATURE
from ..kit import Kit
from ..levels import LevelPreset
from ..styles import Style

STYLE = Style(
    "LEVEL_4",
    "Level 4, the Abandoned Office",
    materials={"wallpaper": "office_wall", "carpet": "carpet_tile", "baseboard": "office_baseboard"},
    # Furniture after pools, stairwells and pitfalls: it never stands over a hole or a stair.
    features=("pools", "floors", "furniture", "windows"),
    lamp_rgb=(0.95, 0.97, 1.0),  # cool office tubes
    lamp_power_w=45.0,
    eevee_ambient_rgb=(0.03, 0.03, 0.028),  # lit off-white walls: a grey bounce
)

KIT = Kit(
    style=STYLE,
    presets=(
        LevelPreset(
            "LEVEL_4",
            "Level 4, the Abandoned Office",
            "An office floor left in a hurry: carpet tiles, desk clusters and their chairs, filing cabinets "
            "against the walls, a water cooler, half the lights dead",
            {
                "style": "LEVEL_4",
                "cell_size": 3.0,
                "wall_height": 2.7,
                "density": 0.4,
                "room_min": 3,
                "room_max": 9,
                "fixture_density": 0.9,
                "dead_fraction": 0.4,
                "flicker_fraction": 0.06,
                "dampness": 0.15,
            },
        ),
    ),
    features=(FURNITURE_FEATURE, WINDOWS_FEATURE),
)
