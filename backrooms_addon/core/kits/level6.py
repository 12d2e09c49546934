"""Level 6, Lights Out: the Lobby's rooms, grimier and with every light dead, seen by a flashlight alone."""

from __future__ import annotations

from ..kit import Kit
from ..levels import LevelPreset
from ..styles import Style

KIT = Kit(
    style=Style(
        "LEVEL_6",
        "Level 6, Lights Out",
        # No light but the one the camera carries: a black world, no EEVEE ambient to fake a bounce.
        world_rgb=(0.0, 0.0, 0.0),
        world_strength=0.0,
        eevee_ambient_rgb=None,
        flashlight=True,
    ),
    presets=(
        LevelPreset(
            "LEVEL_6",
            "Level 6, Lights Out",
            "The Lobby with the power gone for good: every fixture dead, no hum, stained and soaked rooms in "
            "total darkness; the camera carries a flashlight",
            {
                "style": "LEVEL_6",
                "density": 0.7,
                "room_min": 1,
                "room_max": 6,
                "dead_fraction": 1.0,
                "flicker_fraction": 0.0,
                "light_budget": 0,
                "hum": False,
                "wallpaper_tint": "#8F8048",  # the Lobby's yellow, grimed and faded
                "wear": 1.0,
                "dampness": 1.0,
            },
        ),
    ),
)
