"""Level !, Run For Your Life: one endless corridor under pulsing red emergency lights, side rooms and obstacles."""

from __future__ import annotations

from ..kit import Kit
from ..levels import LevelPreset
from ..run_corridor import RUN_CORRIDOR
from ..styles import Style

EMERGENCY_RGB = (1.0, 0.06, 0.03)

KIT = Kit(
    style=Style(
        "LEVEL_RUN",
        "Level !, Run For Your Life",
        materials={
            "wallpaper": "run_wall",
            "baseboard": "run_skirting",
            "carpet": "run_floor",
            "ceiling_tile": "concrete_ceiling",
            "fixture_diffuser": "emergency_diffuser",
        },
        fixture="strip",
        fixture_spacing=3,  # on the corridor's middle row and the side rooms' (core/run_corridor.py)
        pillars=False,
        features=("floors", "run_corridor"),  # stairwells in the corridor's open stretches; no pools
        lamp_rgb=EMERGENCY_RGB,
        lamp_power_w=140.0,
        eevee_ambient_rgb=(0.03, 0.003, 0.002),  # the red walls' bounce
        eevee_diffuse_gain=1.2,  # the straight corridor leaves EEVEE less bounce to make up for
        # A run: faster, the camera shaken harder, on down the corridor rather than into the rooms.
        walk={"speed": 3.5, "shake": 0.9, "heading": 0.9},
        lamp_pulse_s=1.6,
    ),
    presets=(
        LevelPreset(
            "LEVEL_RUN",
            "Level !, Run For Your Life",
            "One endless corridor of worn institutional walls under pulsing red emergency lights, side rooms off "
            "it and knocked-over shelves and crates narrowing the way; its walks run",
            {
                "style": "LEVEL_RUN",
                "wall_height": 2.7,
                "door_height": 2.2,
                "baseboard_height": 0.12,
                "dead_fraction": 0.2,
                "flicker_fraction": 0.0,
                "hum": False,
                "wear": 0.9,
                "dampness": 0.3,
            },
        ),
    ),
    features=(RUN_CORRIDOR,),
)
