"""Built-in level presets: named bundles of spec values that the panel, operator, API and CLI share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidSpecError
from .spec import LevelSpec, with_current_names


@dataclass(frozen=True)
class LevelPreset:
    """A named starting point: the spec values that differ from LevelSpec's defaults."""

    key: str
    label: str
    description: str
    values: dict[str, Any] = field(default_factory=dict)

    def spec(self, **overrides: Any) -> LevelSpec:
        """The preset's spec, with `overrides` on top (validated as one)."""
        return LevelSpec.from_dict({**LevelSpec().to_dict(), **self.values, **with_current_names(overrides)})


DEFAULT_PRESET = "LEVEL_0"

LEVEL_PRESETS: dict[str, LevelPreset] = {
    preset.key: preset
    for preset in (
        LevelPreset(
            "LEVEL_0",
            "Level 0, the Lobby",
            "Mono-yellow wallpaper, damp carpet, buzzing troffers: rooms of every size and endless halls",
        ),
        LevelPreset(
            "LEVEL_0_MAZE",
            "Level 0, Maze",
            "The Lobby at its most segmented: small rooms and narrow passages, nowhere to see far",
            {"density": 0.9, "room_min": 1, "room_max": 4},
        ),
        LevelPreset(
            "LEVEL_0_HALLS",
            "Level 0, Open Halls",
            "Wide low-walled halls with pillars and stub walls, long sightlines under the lights",
            {"density": 0.25, "room_min": 4, "room_max": 12, "fixture_density": 0.95},
        ),
        LevelPreset(
            "LEVEL_0_BLACKOUT",
            "Level 0, Blackout",
            "The Lobby where the power fails: most troffers dead, many flickering, stained and soaked",
            {"dead_fraction": 0.55, "flicker_fraction": 0.2, "wear": 0.9, "dampness": 0.9, "light_budget": 16},
        ),
        LevelPreset(
            "LEVEL_1",
            "Level 1, the Habitable Zone",
            "An endless concrete basement: a wider grid, thick walls and pillars, puddles, sparse strip "
            "lights, some of them sodium-orange",
            {
                "style": "LEVEL_1",
                "cell_size": 3.2,
                "wall_height": 3.6,
                "wall_thickness": 0.35,
                "door_height": 3.6,
                "baseboard_height": 0.0,
                "density": 0.45,
                "room_min": 3,
                "room_max": 10,
                "fixture_density": 0.9,
                "dead_fraction": 0.15,
                "flicker_fraction": 0.08,
                "dampness": 0.65,
            },
        ),
        LevelPreset(
            "LEVEL_37",
            "Level 37, the Poolrooms",
            "White tiles on every surface, pools of lukewarm water at several depths with steps down, "
            "wide openings, bright diffuse light",
            {
                "style": "LEVEL_37",
                "wall_height": 3.4,
                "door_height": 2.6,
                "baseboard_height": 0.0,
                "density": 0.3,
                "room_min": 4,
                "room_max": 12,
                "pool_density": 0.9,
                "fixture_density": 1.0,
                "dead_fraction": 0.0,
                "flicker_fraction": 0.0,
                "light_budget": 48,
                "hum": False,
            },
        ),
        LevelPreset(
            "LEVEL_188",
            "Level 188, the Courtyard of Windows",
            "An open court under a pale sky, enclosed by tall walls full of identical windows, each onto a small "
            "lit room",
            {
                "style": "LEVEL_188",
                "wall_height": 12.0,
                "wall_thickness": 0.3,
                "perimeter": False,
                "density": 0.0,
                "fixture_density": 0.0,
                "light_budget": 0,
                "hum": False,
            },
        ),
    )
}


def preset_spec(key: str, **overrides: Any) -> LevelSpec:
    """The spec of the built-in preset `key`, with `overrides` on top."""
    if key not in LEVEL_PRESETS:
        raise InvalidSpecError("preset", f"must be one of {', '.join(LEVEL_PRESETS)}, got {key!r}")
    return LEVEL_PRESETS[key].spec(**overrides)
