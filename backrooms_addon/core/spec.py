"""LevelSpec: the validated description of a level that every front end builds, and the one table
of its settings (each field declared once, with what validation, the panels, the operator, the
command line and the docs need to know about it)."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .errors import InvalidSpecError
from .styles import DEFAULT_STYLE

COURTYARD = "LEVEL_188"  # the style open to the sky: nothing may stand on it

SEED_MIN = -(1 << 63)
SEED_MAX = (1 << 64) - 1
ORIGIN_LIMIT = 1_000_000_000
INT32_MAX = (1 << 31) - 1  # what a Blender integer property holds

# What generating and showing one cell costs at most, layout, meshes and Blender's copy together
# (measured by benchmarks/bench_layout.py and bench_generate.py, with headroom), and the budget a
# single level may use. The world is endless: bigger areas are generated as several regions.
BYTES_PER_CELL = 1200
MEMORY_LIMIT_BYTES = 8 << 30

# The sidebar's panels a setting can be shown in: the main panel, then its sub-panels.
PANELS = ("level", "layout", "lighting", "materials")


@dataclass(frozen=True)
class Range:
    """Inclusive bounds of a numeric field, in the field's unit."""

    low: int | float
    high: int | float
    unit: str = ""
    integer: bool = False

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.integer:
            return f"an integer from {self.low} to {self.high}{unit}"
        return f"a number from {self.low:g} to {self.high:g}{unit}"


def _ints(low: int, high: int, unit: str = "") -> Range:
    return Range(low, high, unit, integer=True)


@dataclass(frozen=True)
class Setting:
    """One spec field, declared once: validation, the scene settings, the operator, the panels,
    the command line, `info` and the docs' spec table are all made from these."""

    name: str
    default: Any
    label: str  # what the panel calls it
    description: str  # the tooltip, --help and the docs
    panel: str  # one of PANELS
    group: int = 0  # settings of one group are drawn as one block of their panel
    limits: Range | None = None  # numbers, and each of a pair of cells
    kind: str = ""  # int, float, bool, choice, colour, cells (a pair) or styles; from the default if not given
    choices: Callable[[], dict[str, str]] | None = None  # key -> label, for a choice
    flag: str = ""  # the command-line flag; from the name if not given
    flag_aliases: tuple[str, ...] = ()  # older spellings the command line still takes
    kept_by_presets: bool = False  # a level preset leaves it as it was (the seed, size and place)
    panel_limits: Range | None = None  # what a Blender property can hold, where that is less
    panel_text: bool = False  # values beyond panel_limits are typed as text, in NAME_text

    def __post_init__(self) -> None:
        if not self.kind:
            kinds = {bool: "bool", int: "int", float: "float", tuple: "cells"}
            object.__setattr__(self, "kind", "choice" if self.choices else kinds[type(self.default)])
        if not self.flag and self.name:  # a switch also has its --no- form (e.g. --hum and --no-hum)
            object.__setattr__(self, "flag", f"--{self.name.replace('_', '-')}")

    @property
    def property_names(self) -> tuple[str, ...]:
        """The Blender properties that show it: a pair of cells is two (NAME_x, NAME_y), a number
        with a text form two (NAME, then NAME_text for what NAME cannot hold)."""
        if self.kind == "cells":
            return (f"{self.name}_x", f"{self.name}_y")
        return (self.name, f"{self.name}_text") if self.panel_text else (self.name,)

    def allowed(self) -> str:
        """The values it takes, in words: the range, the choices or the form."""
        if self.limits is not None:
            return self.limits.describe() + (" each" if self.kind == "cells" else "")
        if self.kind == "choice" and self.choices is not None:
            return "one of " + ", ".join(self.choices())
        if self.kind == "styles" and self.choices is not None:
            return "a list of styles (comma-separated as text), each one of " + ", ".join(self.choices())
        if self.kind == "colour":
            return "an sRGB colour #RRGGBB"
        return "true or false"

    def validate(self, value: object) -> None:
        """Raise InvalidSpecError naming the field unless `value` is allowed on its own."""
        _CHECKS[self.kind](self, value)

    def parse(self, text: str) -> tuple[str, ...]:
        """A list of keys typed as text (the command line's, a panel's text field): comma-separated."""
        return tuple(part.strip() for part in text.split(",") if part.strip())

    def text(self, value: tuple[str, ...]) -> str:
        """The text form of a list of keys, the inverse of parse."""
        return ",".join(value)


def _setting(default: Any, label: str, description: str, panel: str, group: int = 0, **extra: Any) -> Any:
    """A field of LevelSpec carrying its Setting (whose name SETTINGS fills in from the field's)."""
    return field(default=default, metadata={"setting": Setting("", default, label, description, panel, group, **extra)})


def _algorithm_labels() -> dict[str, str]:
    from .algorithms import ALGORITHM_LABELS  # the registries import this module: look them up late

    return ALGORITHM_LABELS


def _style_labels() -> dict[str, str]:
    from .styles import STYLES

    return {key: style.label for key, style in STYLES.items()}


@dataclass(frozen=True)
class LevelSpec:
    """Everything that decides a level; equal specs give identical levels. The order of the fields
    is the order of the JSON documents, the panels' blocks and --help."""

    seed: int = _setting(
        0,
        "Seed",
        "level seed: the same seed gives the same level",
        "level",
        limits=_ints(SEED_MIN, SEED_MAX),
        kept_by_presets=True,
        panel_limits=_ints(0, INT32_MAX),
        panel_text=True,
    )
    width: int = _setting(
        32, "Width", "region width along x", "level", limits=_ints(1, 100_000, "cells"), kept_by_presets=True
    )
    depth: int = _setting(
        32, "Depth", "region depth along y", "level", limits=_ints(1, 100_000, "cells"), kept_by_presets=True
    )
    density: float = _setting(
        0.6,
        "Density",
        "wall density: 0 is an open hall with pillars and stubs, 1 the most segmented",
        "layout",
        limits=Range(0.0, 1.0),
    )
    cell_size: float = _setting(2.4, "Cell Size", "side of one grid cell", "layout", 2, limits=Range(1.0, 8.0, "m"))
    wall_height: float = _setting(
        2.8, "Wall Height", "height of walls and ceiling", "layout", 2, limits=Range(2.2, 30.0, "m")
    )
    wall_thickness: float = _setting(
        0.15, "Wall Thickness", "thickness of walls, less than half a cell", "layout", 2, limits=Range(0.02, 0.5, "m")
    )
    origin: tuple[int, int] = _setting(
        (0, 0),
        "Origin",
        "world cell of the region's south-west corner, x and y",
        "layout",
        3,
        limits=_ints(-ORIGIN_LIMIT, ORIGIN_LIMIT, "cells"),
        kept_by_presets=True,
    )
    algorithm: str = _setting(
        "backrooms", "Algorithm", "maze algorithm that carves the walls", "layout", choices=_algorithm_labels
    )
    chunk_size: int = _setting(
        16,
        "Chunk Size",
        "side of a world chunk, the unit the endless world is built from",
        "layout",
        3,
        limits=_ints(4, 64, "cells"),
    )
    room_min: int = _setting(
        2, "Smallest Room", "smallest room side (backrooms algorithm)", "layout", limits=_ints(1, 64, "cells")
    )
    room_max: int = _setting(
        8,
        "Largest Room",
        "largest room side (backrooms algorithm), at most the chunk size",
        "layout",
        limits=_ints(1, 64, "cells"),
    )
    door_height: float = _setting(
        2.1,
        "Door Height",
        "height of doorways; a header closes the wall above (the wall height for none)",
        "layout",
        2,
        limits=Range(1.8, 6.0, "m"),
    )
    baseboard_height: float = _setting(
        0.1,
        "Baseboard",
        "height of the baseboard band at the foot of walls (0 for none)",
        "layout",
        2,
        limits=Range(0.0, 0.3, "m"),
    )
    piece_chunks: int = _setting(
        4,
        "Piece Size",
        "chunks per side of a streaming piece: one object per piece and kind",
        "layout",
        3,
        limits=_ints(1, 16, "chunks"),
    )
    perimeter: bool = _setting(
        True,
        "Close Perimeter",
        "walls closing the region's outer edges (without, the edges are as the world has them)",
        "layout",
        2,
    )
    fixture_density: float = _setting(
        0.85,
        "Fixtures",
        "share of the ceiling grid's fixture positions that hold a fixture",
        "lighting",
        limits=Range(0.0, 1.0),
    )
    dead_fraction: float = _setting(0.05, "Dead", "share of fixtures that are dead", "lighting", limits=Range(0.0, 1.0))
    flicker_fraction: float = _setting(
        0.04, "Flickering", "share of fixtures that flicker", "lighting", limits=Range(0.0, 1.0)
    )
    light_budget: int = _setting(
        24,
        "Light Budget",
        "real lamps under the lit fixtures nearest the camera; the others glow",
        "lighting",
        limits=_ints(0, 512, "lamps"),
    )
    hum: bool = _setting(True, "Hum", "speakers playing the fluorescent hum at the fixtures", "lighting")
    wallpaper_tint: str = _setting(
        "#CDB85E", "Wallpaper", "colour the wallpaper's pattern is tinted to", "materials", 1, kind="colour"
    )
    wear: float = _setting(0.5, "Wear", "water stains on the wallpaper", "materials", 1, limits=Range(0.0, 1.0))
    dampness: float = _setting(
        0.5, "Dampness", "damp patches in the carpet (puddles on concrete)", "materials", 1, limits=Range(0.0, 1.0)
    )
    style: str = _setting(
        DEFAULT_STYLE,
        "Style",
        "the kind of level: its materials, light fittings and features",
        "materials",
        choices=_style_labels,
        flag_aliases=("--level",),
    )
    floors: int = _setting(
        1,
        "Floors",
        "levels stacked one above the other, joined by stairwells and pitfalls",
        "level",
        limits=_ints(1, 8, "floors"),
    )
    floor_styles: tuple[str, ...] = _setting(
        (),
        "Floor Styles",
        "the style of each stacked floor, the ground floor first (the ground floor's is the level's style); "
        "floors past the list, or all of them when it is empty, are the level's own; another style brings "
        "its preset's cell size, heights, density, rooms and lighting",
        "level",
        kind="styles",
        choices=_style_labels,
    )
    shaft: bool = _setting(
        False,
        "Descent Shaft",
        "an open shaft through every floor near the top floor's spawn, for the descending shot",
        "layout",
        1,
    )
    pitfall_density: float = _setting(
        0.0,
        "Pitfalls",
        "share of open floor cells that are holes dropping into darkness or onto the floor below",
        "layout",
        1,
        limits=Range(0.0, 0.5),
    )
    pool_density: float = _setting(
        0.0, "Pools", "how many pools are carved into the floor (the Poolrooms)", "layout", 1, limits=Range(0.0, 1.0)
    )

    def __post_init__(self) -> None:
        if isinstance(self.floor_styles, list):  # as JSON has it
            object.__setattr__(self, "floor_styles", tuple(self.floor_styles))
        for setting in SETTINGS:
            setting.validate(getattr(self, setting.name))
        self._check_relations()
        _check_memory(self.width, self.depth, self.floors)

    def _check_relations(self) -> None:
        """What no field can check alone: bounds that depend on another field."""
        broken = self.dead_fraction + self.flicker_fraction
        if broken > 1:
            raise InvalidSpecError(
                "flicker_fraction", f"dead_fraction + flicker_fraction must not exceed 1, got {broken:g}"
            )
        if self.wall_thickness >= self.cell_size / 2:
            raise InvalidSpecError(
                "wall_thickness",
                f"must be less than half of cell_size ({self.cell_size / 2:g} m), got {self.wall_thickness:g}",
            )
        if self.door_height > self.wall_height:
            raise InvalidSpecError(
                "door_height", f"must not exceed wall_height ({self.wall_height:g} m), got {self.door_height:g}"
            )
        if self.room_min > self.room_max:
            raise InvalidSpecError("room_min", f"must not exceed room_max ({self.room_max}), got {self.room_min}")
        if self.room_max > self.chunk_size:
            raise InvalidSpecError(
                "room_max", f"must not exceed chunk_size ({self.chunk_size} cells), got {self.room_max}"
            )
        self._check_floor_styles()

    def _check_floor_styles(self) -> None:
        """One style per floor at most, the ground floor's the level's, the open Courtyard on top only."""
        styles = self.floor_styles
        if not styles:
            return
        if len(styles) > self.floors:
            raise InvalidSpecError(
                "floor_styles", f"names {len(styles)} styles for {self.floors} floor(s); give at most one per floor"
            )
        if styles[0] != self.style:
            raise InvalidSpecError(
                "floor_styles",
                f"the ground floor's style is the level's style ({self.style}), got {styles[0]}; "
                "set style for the ground floor",
            )
        below_top = [*styles, *[self.style] * (self.floors - len(styles))][:-1]
        if COURTYARD in below_top:
            raise InvalidSpecError(
                "floor_styles",
                f"{COURTYARD} (open to the sky, no ceiling) may only be the top floor, got {list(styles)}",
            )
        from .floors import floor_spec  # floors builds on this module: look it up late

        for floor in range(1, len(styles)):
            try:
                floor_spec(self, floor)
            except InvalidSpecError as error:
                raise InvalidSpecError(
                    "floor_styles", f"floor {floor} ({styles[floor]}) would be invalid: {error}"
                ) from None

    @property
    def piece_cells(self) -> int:
        """Side of a streaming piece (one object per piece and kind), in cells."""
        return self.chunk_size * self.piece_chunks

    @property
    def memory_estimate_bytes(self) -> int:
        """About how much memory generating this level takes at its peak."""
        return self.width * self.depth * self.floors * BYTES_PER_CELL

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields, in declaration order."""
        data = asdict(self)
        data["origin"] = list(self.origin)
        data["floor_styles"] = list(self.floor_styles)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LevelSpec:
        """Build a spec from plain data, rejecting unknown keys by name. Reads older documents too."""
        values = with_current_names(data)
        known = [setting.name for setting in SETTINGS]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InvalidSpecError(unknown[0], f"is not a spec field; known fields: {sorted(known)}")
        if "origin" in values:
            values["origin"] = _as_pair("origin", values["origin"])
        if isinstance(values.get("floor_styles"), str):  # typed as text
            values["floor_styles"] = SETTING["floor_styles"].parse(values["floor_styles"])
        return cls(**values)

    def replace(self, **changes: Any) -> LevelSpec:
        """A copy with some fields changed, validated again."""
        return LevelSpec.from_dict({**self.to_dict(), **with_current_names(changes)})

    def window(self, origin: tuple[int, int], width: int, depth: int, perimeter: bool = False) -> LevelSpec:
        """The same world over another cut: what a feature reads round a region (a ring of cells,
        a margin of chunks). Not checked against the settings' ranges: a ring round a region at
        the edge of the origins a user may give (ORIGIN_LIMIT) reaches past it, and the world
        goes on there."""
        window = copy.copy(self)  # a frozen dataclass's copy: no __init__, so no checks
        cut = {"origin": (int(origin[0]), int(origin[1])), "width": width, "depth": depth, "perimeter": perimeter}
        for name, value in cut.items():
            object.__setattr__(window, name, value)
        return window


def _settings() -> tuple[Setting, ...]:
    return tuple(replace(f.metadata["setting"], name=f.name) for f in fields(LevelSpec))


# Every spec field, in the fields' order: validation, JSON, the docs' table and every front end.
SETTINGS: tuple[Setting, ...] = _settings()
SETTING: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
# Fields that had another name in older documents and stored levels: old name -> name now.
RENAMED_FIELDS = {"level": "style"}
# The bounds of every numeric field (a pair's bounds also under NAME_x and NAME_y, as errors name them).
LIMITS: dict[str, Range] = {
    name: setting.limits
    for setting in SETTINGS
    if setting.limits is not None
    for name in {setting.name, *setting.property_names}
}


def with_current_names(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of stored spec data with the fields' current names (older documents say `level`)."""
    values = dict(data)
    for old, new in RENAMED_FIELDS.items():
        if old in values and new in values:
            raise InvalidSpecError(old, f"is the older name of {new}; give only {new}")
        if old in values:
            values[new] = values.pop(old)
    return values


def _check_int(setting: Setting, value: object, name: str = "") -> None:
    name, bounds = name or setting.name, setting.limits
    assert bounds is not None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSpecError(name, f"must be {bounds.describe()}, got {value!r}")
    if not bounds.low <= value <= bounds.high:
        raise InvalidSpecError(name, f"must be {bounds.describe()}, got {value}")


def _check_float(setting: Setting, value: object) -> None:
    bounds = setting.limits
    assert bounds is not None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidSpecError(setting.name, f"must be {bounds.describe()}, got {value!r}")
    if math.isnan(value) or not bounds.low <= value <= bounds.high:
        raise InvalidSpecError(setting.name, f"must be {bounds.describe()}, got {value}")


def _check_bool(setting: Setting, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidSpecError(setting.name, f"must be true or false, got {value!r}")


def _check_choice(setting: Setting, value: object) -> None:
    assert setting.choices is not None
    if not isinstance(value, str) or value not in setting.choices():
        raise InvalidSpecError(setting.name, f"must be {setting.allowed()}, got {value!r}")


def _check_colour(setting: Setting, value: object) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise InvalidSpecError(setting.name, f"must be {setting.allowed()}, got {value!r}")


def _check_styles(setting: Setting, value: object) -> None:
    assert setting.choices is not None
    known = setting.choices()
    if not isinstance(value, (tuple, list)) or not all(isinstance(key, str) and key in known for key in value):
        raise InvalidSpecError(setting.name, f"must be {setting.allowed()}, got {value!r}")


def _check_cells(setting: Setting, value: object) -> None:
    for name, part in zip(setting.property_names, _as_pair(setting.name, value), strict=True):
        _check_int(setting, part, name)


_CHECKS: dict[str, Callable[[Setting, object], None]] = {
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "choice": _check_choice,
    "colour": _check_colour,
    "cells": _check_cells,
    "styles": _check_styles,
}


def _as_pair(name: str, value: object) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InvalidSpecError(name, f"must be a pair of integers (x, y) in cells, got {value!r}")
    return (value[0], value[1])


def _check_memory(width: int, depth: int, floors: int) -> None:
    needed = width * depth * floors * BYTES_PER_CELL
    if needed > MEMORY_LIMIT_BYTES:
        raise InvalidSpecError(
            "width",
            f"a {width} x {depth} cell level of {floors} floor(s) would need about {needed / (1 << 30):.1f} GiB "
            "of memory, more than "
            f"the {MEMORY_LIMIT_BYTES / (1 << 30):.0f} GiB one level may use; generate the area as several "
            "regions (the world is seamless across origins)",
        )


def spec_table_markdown() -> str:
    """The spec fields as the Markdown table of docs/layout-format.md (a test keeps it in step)."""
    rows = ["| field | values | default | panel | flag | meaning |", "|---|---|---|---|---|---|"]
    for setting in SETTINGS:
        default = list(setting.default) if setting.kind in ("cells", "styles") else setting.default
        values = setting.allowed()
        if setting.choices is not None:
            values = "one of " + ", ".join(f"`{key}`" for key in setting.choices())
            if setting.kind == "styles":
                values = "a list, each " + values
        panel = f"{setting.panel.title()}: {setting.label}"
        if setting.panel_limits is not None:
            other = f"; any other as {setting.label} Text" if setting.panel_text else ""
            panel += f" ({setting.panel_limits.low} to {setting.panel_limits.high}{other})"
        if setting.kind == "styles":
            panel += " (the keys, comma-separated)"
        flags = [setting.flag] + ([setting.flag.replace("--", "--no-", 1)] if setting.kind == "bool" else [])
        shown = ", ".join(f"`{flag}`" for flag in flags)
        rows.append(
            f"| `{setting.name}` | {values} | `{json.dumps(default)}` | {panel} | {shown} | {setting.description} |"
        )
    return "\n".join(rows) + "\n"
