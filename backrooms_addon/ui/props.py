"""Scene settings: the Backrooms panel's values, saved with the .blend."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, FloatVectorProperty, IntProperty

from ..core.algorithms import ALGORITHM_LABELS
from ..core.levels import DEFAULT_PRESET, LEVEL_PRESETS
from ..core.spec import LIMITS, LevelSpec
from ..core.styles import STYLES

_DEFAULTS = LevelSpec()
_INT32_MAX = (1 << 31) - 1

# The spec fields that the panel and the operator expose, in panel order; the origin is split in two.
SPEC_FIELDS = (
    "seed",
    "width",
    "depth",
    "density",
    "algorithm",
    "room_min",
    "room_max",
    "cell_size",
    "wall_height",
    "chunk_size",
    "origin_x",
    "origin_y",
    "door_height",
    "baseboard_height",
    "piece_chunks",
    "perimeter",
    "fixture_density",
    "dead_fraction",
    "flicker_fraction",
    "light_budget",
    "hum",
    "wallpaper_tint",
    "wear",
    "dampness",
    "style",
    "floors",
    "pitfall_density",
    "pool_density",
)


# What a level preset leaves as it was: choosing a look keeps the seed, size and place.
KEPT_BY_PRESETS = ("seed", "width", "depth", "origin_x", "origin_y")


def preset_property() -> object:
    """The built-in level presets as an enum, shared by the settings and the operators."""
    return EnumProperty(
        name="Level",
        description="Built-in level preset: sets every setting but the seed, size and origin",
        items=[(key, preset.label, preset.description) for key, preset in LEVEL_PRESETS.items()],
        default=DEFAULT_PRESET,
    )


def spec_properties() -> dict[str, object]:
    """Property definitions for the spec fields, shared by the settings and the operator."""
    return {
        "seed": IntProperty(
            name="Seed",
            description="Level seed: the same seed gives the same level",
            default=_DEFAULTS.seed,
            min=0,
            max=_INT32_MAX,
        ),
        "width": _range_prop("width", "Width", "Level width in cells along X"),
        "depth": _range_prop("depth", "Depth", "Level depth in cells along Y"),
        "density": FloatProperty(
            name="Density",
            description="Wall density: 0 is an open hall, 1 a full maze",
            default=_DEFAULTS.density,
            min=0.0,
            max=1.0,
            subtype="FACTOR",
        ),
        "room_min": _range_prop("room_min", "Smallest Room", "Smallest room side in cells (Backrooms algorithm)"),
        "room_max": _range_prop("room_max", "Largest Room", "Largest room side in cells (Backrooms algorithm)"),
        "chunk_size": _range_prop("chunk_size", "Chunk Size", "Side of a world chunk in cells"),
        "origin_x": _range_prop("origin_x", "Origin X", "World cell of the level's south-west corner, along X"),
        "origin_y": _range_prop("origin_y", "Origin Y", "World cell of the level's south-west corner, along Y"),
        "cell_size": _range_prop("cell_size", "Cell Size", "Size of one grid cell"),
        "door_height": _range_prop("door_height", "Door Height", "Doorways get a header above this height"),
        "baseboard_height": _range_prop("baseboard_height", "Baseboard", "Height of the baseboard band (0 for none)"),
        "piece_chunks": _range_prop("piece_chunks", "Piece Size", "Chunks per side of each object (for streaming)"),
        "perimeter": BoolProperty(
            name="Close Perimeter", description="Close the level's outer edges with walls", default=True
        ),
        "fixture_density": _factor("fixture_density", "Fixtures", "Share of ceiling grid positions with a troffer"),
        "dead_fraction": _factor("dead_fraction", "Dead", "Share of troffers that are dead"),
        "flicker_fraction": _factor("flicker_fraction", "Flickering", "Share of troffers that flicker"),
        "light_budget": _range_prop("light_budget", "Light Budget", "Real lamps under the troffers nearest the camera"),
        "hum": BoolProperty(name="Hum", description="Speakers playing the fluorescent hum", default=True),
        "wallpaper_tint": FloatVectorProperty(
            name="Wallpaper",
            description="Colour the wallpaper's pattern is tinted to",
            subtype="COLOR_GAMMA",
            size=3,
            min=0.0,
            max=1.0,
            default=spec_values(_DEFAULTS)["wallpaper_tint"],
        ),
        "wear": _factor("wear", "Wear", "Water stains near the floor and at seams"),
        "dampness": _factor("dampness", "Dampness", "Damp patches in the carpet"),
        "wall_height": _range_prop("wall_height", "Wall Height", "Height of walls and ceiling"),
        "style": EnumProperty(
            name="Style",
            description="The kind of level: its materials, light fittings and features",
            items=[(key, style.label, "") for key, style in STYLES.items()],
            default=_DEFAULTS.style,
        ),
        "floors": _range_prop("floors", "Floors", "Levels stacked one above the other, joined by stairwells"),
        "pitfall_density": _share("pitfall_density", "Pitfalls", "Share of open floor cells that are holes"),
        "pool_density": _share("pool_density", "Pools", "How many pools are carved into the floor"),
        "algorithm": EnumProperty(
            name="Algorithm",
            description="Maze algorithm that carves the walls",
            items=[(key, label, "") for key, label in ALGORITHM_LABELS.items()],
            default=_DEFAULTS.algorithm,
        ),
    }


def _factor(field: str, name: str, description: str) -> object:
    return FloatProperty(
        name=name, description=description, default=getattr(_DEFAULTS, field), min=0.0, max=1.0, subtype="FACTOR"
    )


def _share(field: str, name: str, description: str) -> object:
    """A float in the spec's range, shown as a slider."""
    limits = LIMITS[field]
    return FloatProperty(
        name=name,
        description=description,
        default=getattr(_DEFAULTS, field),
        min=limits.low,
        max=limits.high,
        subtype="FACTOR",
    )


def _range_prop(field: str, name: str, description: str) -> object:
    """An int or float property with the spec's hard limits; lengths show in scene units."""
    limits = LIMITS[field]
    default = (
        _DEFAULTS.to_dict()["origin"][field == "origin_y"] if field.startswith("origin") else getattr(_DEFAULTS, field)
    )
    if limits.integer:
        return IntProperty(
            name=name,
            description=description,
            default=default,
            min=int(limits.low),
            max=int(limits.high),
            soft_min=max(int(limits.low), -4096),
            soft_max=min(int(limits.high), 512),
        )
    return FloatProperty(
        name=name,
        description=description,
        default=default,
        min=limits.low,
        max=limits.high,
        unit="LENGTH",
    )


def spec_from(source: object) -> LevelSpec:
    """A LevelSpec from anything with the spec fields as attributes (settings or operator)."""
    values = {name: _exact(getattr(source, name)) for name in SPEC_FIELDS if name != "wallpaper_tint"}
    values["origin"] = (values.pop("origin_x"), values.pop("origin_y"))
    tint = getattr(source, "wallpaper_tint")  # noqa: B009  (any object with the fields will do)
    values["wallpaper_tint"] = "#" + "".join(f"{round(c * 255):02X}" for c in tint)
    return LevelSpec.from_dict(values)


def spec_values(spec: LevelSpec) -> dict[str, object]:
    """The property values that show `spec`: the inverse of spec_from."""
    values = {name: value for name, value in spec.to_dict().items() if name in SPEC_FIELDS}
    values["origin_x"], values["origin_y"] = spec.origin
    values["wallpaper_tint"] = tuple(int(spec.wallpaper_tint[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return values


def write_spec(target: object, spec: LevelSpec, names: tuple[str, ...] = SPEC_FIELDS) -> None:
    """Set the properties `names` of `target` (settings or operator) to the values of `spec`."""
    values = spec_values(spec)
    for name in names:
        setattr(target, name, values[name])


def apply_level_preset(settings: bpy.types.PropertyGroup, key: str) -> None:
    """Choose a built-in level preset: its look replaces the settings', seed, size and origin stay."""
    settings.preset = key
    looks = tuple(name for name in SPEC_FIELDS if name not in KEPT_BY_PRESETS)
    write_spec(settings, LEVEL_PRESETS[key].spec(), looks)


def _exact(value: object) -> object:
    """Blender stores float properties in single precision: 0.55 comes back as 0.550000011920929.
    Six significant digits recover the typed value, so the panel and the CLI give the same level."""
    return float(f"{value:.6g}") if isinstance(value, float) else value


class BACKROOMS_PG_settings(bpy.types.PropertyGroup):
    """Per-scene Backrooms settings."""

    # The level preset is set by backrooms.level_preset, not by an update callback on this
    # property: with one, Blender 4.2 crashed at exit once the extension had been uninstalled.
    __annotations__ = {"preset": preset_property(), **spec_properties()}


CLASSES = (BACKROOMS_PG_settings,)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.backrooms = bpy.props.PointerProperty(type=BACKROOMS_PG_settings)


def unregister() -> None:
    del bpy.types.Scene.backrooms
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
