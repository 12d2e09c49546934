"""Level 2, Pipe Dreams: its style, its preset and its pipes."""

from __future__ import annotations

from ..kit import Kit
from ..levels import LevelPreset
from ..pipes import PIPES
from ..styles import Style

STYLE = Style(
    "LEVEL_2",
    "Level 2, Pipe Dreams",
    materials={
        "wallpaper": "tunnel_wall",
        "baseboard": "tunnel_wall",
        "carpet": "tunnel_floor",
        "ceiling_tile": "tunnel_ceiling",
        "fixture_diffuser": "tunnel_lamp",
        "troffer_frame": "tunnel_pipe_steel",
    },
    fixture="bulkhead",  # a small square lamp (core/plan.py FIXTURE_SIZES)
    fixture_spacing=3,  # a lamp every few cells of tunnel, most of the way in the dark
    lamp_rgb=(1.0, 0.74, 0.45),  # old warm bulbs: the tunnels feel hot
    lamp_power_w=130.0,
    pillars=False,  # the tunnels are their own walls
    clear_stairwells=True,  # one-cell tunnels: no open floor round a stair unless cleared
    features=("pools", "floors", "pipes"),  # pipes after stairwells: they leave the openings clear
    # EEVEE: the light the long tunnels pass on from lamp to lamp, which Cycles bounces round
    # corners and screen-space rays do not (tests/blender/test_eevee_look.py).
    eevee_diffuse_gain=1.4,
    eevee_ambient_rgb=(0.03, 0.028, 0.022),
)

PRESET = LevelPreset(
    "LEVEL_2",
    "Level 2, Pipe Dreams",
    "Long, narrow, dim maintenance tunnels of damp grey concrete, lined with rusty pipes that follow "
    "every wall and branch at each junction; a few warm lamps, hot and close",
    {
        "style": "LEVEL_2",
        "algorithm": "backtracker",  # depth first: long winding passages, few branches
        "cell_size": 2.0,
        "wall_height": 2.4,
        "wall_thickness": 0.2,
        "door_height": 2.4,  # no headers: the pipes turn into every branch
        "baseboard_height": 0.0,
        "density": 0.9,  # a few walls missing: the odd small room or loop
        "fixture_density": 0.9,
        "dead_fraction": 0.25,
        "flicker_fraction": 0.1,
        "light_budget": 16,
        "dampness": 0.8,
    },
)

KIT = Kit(style=STYLE, presets=(PRESET,), features=(PIPES,))
