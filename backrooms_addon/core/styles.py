"""Level styles: what makes Level 1, the Poolrooms or the Courtyard look like themselves.

A style swaps the Level 0 materials for its own, picks the light fixtures and their colour, and
lists the level features it has (by key: core/registry.py knows them, core/features.py says what a
feature is). The spec names its style in `style`; the built-in presets (core/levels.py) pair a
style with the spec values that suit it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SODIUM_RGB = (1.0, 0.55, 0.18)  # low-pressure sodium, the orange of old basement lamps
FLUORESCENT_RGB = (1.0, 0.96, 0.9)


@dataclass(frozen=True)
class Style:
    """The look and the features of one kind of level."""

    key: str
    label: str
    materials: dict[str, str] = field(default_factory=dict)  # Level 0 recipe name -> this style's
    fixture: str = "troffer"  # "troffer" (0.6 x 1.2 m panels) or "strip" (narrow tubes)
    fixture_spacing: int = 2  # a fixture every this many cells along x and y
    lamp_rgb: tuple[float, float, float] = FLUORESCENT_RGB
    lamp_power_w: float = 40.0
    sodium_fraction: float = 0.0  # share of lit fixtures that glow sodium-orange
    ceiling: bool = True
    pillars: bool = True  # square columns where open floor allows them
    # Its layout has no open floor round a stair (one-cell tunnels): the floors it joins get a
    # stairwell cleared out of their walls in every chunk (core/floors.py).
    clear_stairwells: bool = False
    # In the order they are planned: a feature sees what the ones before it took.
    features: tuple[str, ...] = ("pools", "floors")  # pools (at a pool density), stairwells and pitfalls
    world_rgb: tuple[float, float, float] = (0.002, 0.002, 0.0015)  # almost black: lit from inside
    # The world goes on past any region, chunk by chunk, so a walk may leave its first region and
    # the chunks it reaches are built as it goes; a level made for its region alone (one court) is
    # walked within that region, built whole.
    endless: bool = True
    world_strength: float = 1.0
    # EEVEE only (a lamp's diffuse factor, which Cycles ignores): how much brighter a lamp lights
    # diffuse surfaces there, for the bounce light that EEVEE's screen-space tracing misses.
    eevee_diffuse_gain: float = 1.7
    # EEVEE only (the world's EEVEE output, which Cycles does not read): the light that reaches the
    # frame by bouncing off what is behind the camera or off screen, which screen-space rays cannot
    # see, as a dim ambient in the colour of that bounce. None: EEVEE sees the world Cycles sees.
    eevee_ambient_rgb: tuple[float, float, float] | None = (0.04, 0.034, 0.018)  # lit yellow walls
    # Walk settings (core/stream.py) this level's walks start from, e.g. a run's pace and shake.
    walk: dict[str, Any] = field(default_factory=dict)
    # The camera carries a flashlight (a spot lamp with a sway of its own), switched on.
    flashlight: bool = False
    # Lamps and lit fixtures pulse between dim and full with this period (seconds); 0: steady.
    lamp_pulse_s: float = 0.0

    def material(self, name: str) -> str:
        return self.materials.get(name, name)


DEFAULT_STYLE = "LEVEL_0"

STYLES: dict[str, Style] = {
    style.key: style
    for style in (
        Style("LEVEL_0", "Level 0, the Lobby"),
        Style(
            "LEVEL_1",
            "Level 1, the Habitable Zone",
            materials={
                "wallpaper": "concrete_wall",
                "baseboard": "concrete_wall",
                "carpet": "concrete_floor",
                "ceiling_tile": "concrete_ceiling",
            },
            fixture="strip",
            fixture_spacing=3,
            features=("pools", "floors", "clutter"),  # crates after pitfalls and stairs: never over them
            lamp_rgb=(0.92, 0.95, 1.0),
            lamp_power_w=160.0,
            sodium_fraction=0.3,
            eevee_ambient_rgb=None,  # its strips light the ceiling in EEVEE already (a little more than Cycles)
        ),
        Style(
            "LEVEL_37",
            "Level 37, the Poolrooms",
            materials={
                "wallpaper": "pool_tile",
                "baseboard": "pool_tile",
                "carpet": "pool_tile",
                "ceiling_tile": "pool_tile",
            },
            pillars=False,  # open tiled halls, so the pools have room
            features=("pools", "arches", "floors"),
            lamp_rgb=(1.0, 0.99, 0.96),
            lamp_power_w=90.0,
            world_rgb=(0.8, 0.85, 0.9),
            world_strength=0.6,
            eevee_ambient_rgb=None,  # the sky lights it in both engines
        ),
        Style(
            "LEVEL_188",
            "Level 188, the Courtyard of Windows",
            materials={"wallpaper": "courtyard_wall", "baseboard": "courtyard_plinth", "carpet": "courtyard_paving"},
            ceiling=False,  # open to the sky: the court is lit by daylight (core/courtyard.py)
            endless=False,  # one court per region: a walk stays in it
            features=("pools", "court"),  # one open court on one floor: no stairwells or pitfalls
            world_rgb=(0.62, 0.68, 0.76),  # pale grey-blue overcast
            world_strength=2.5,
            eevee_ambient_rgb=None,
        ),
    )
}


def style_of(key: str) -> Style:
    return STYLES[key]
