"""Scene settings: the Backrooms panel's values, saved with the .blend."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import bpy
from bpy.app.handlers import persistent
from bpy.props import BoolProperty, EnumProperty, FloatProperty, FloatVectorProperty, IntProperty, StringProperty

from ..core.errors import InvalidSpecError
from ..core.levels import DEFAULT_PRESET, LEVEL_PRESETS
from ..core.spec import INT32_MAX, RENAMED_FIELDS, SETTING, SETTINGS, LevelSpec, Setting
from ..core.stream import WALK_SETTINGS, restyled_walk

# The properties that show the spec, in the table's order (a pair of cells is two of them).
SPEC_FIELDS = tuple(name for setting in SETTINGS for name in setting.property_names)
# What a level preset leaves as it was: choosing a look keeps the seed, size and place.
KEPT_BY_PRESETS = tuple(name for setting in SETTINGS if setting.kept_by_presets for name in setting.property_names)


def preset_property() -> object:
    """The built-in level presets as an enum, shared by the settings and the operators."""
    return EnumProperty(
        name="Level",
        description="Built-in level preset: sets every setting but the seed, size and origin",
        items=[(key, preset.label, preset.description) for key, preset in LEVEL_PRESETS.items()],
        default=DEFAULT_PRESET,
    )


def spec_properties(operator: bool = False) -> dict[str, object]:
    """A Blender property for each spec setting, for the scene settings or (`operator`) the operator."""
    return setting_properties(SETTINGS, operator)


def setting_properties(settings: tuple[Setting, ...], operator: bool = False) -> dict[str, object]:
    """A Blender property for each of `settings` (the spec's, the walk's), for the scene settings
    or (`operator`) the operator.

    The settings hold the limits. Blender clamps a value to a property's limits before an operator
    sees it, so the operator's properties hold anything: out of range, the core names the field
    and its range, as it does for the API.
    """
    properties: dict[str, object] = {}
    for setting in settings:
        properties.update(_properties(setting, operator))
    return properties


def renamed_properties() -> dict[str, object]:
    """Hidden properties under the older names of renamed fields, so that files saved before the
    rename still hold their value (adopt_renamed_settings moves it on load)."""
    properties: dict[str, object] = {}
    for old, new in RENAMED_FIELDS.items():
        properties.update(_properties(replace(SETTING[new], name=old), False, options={"HIDDEN"}))
    return properties


def _properties(setting: Setting, operator: bool, **extra: object) -> dict[str, object]:
    common: dict[str, Any] = {"name": setting.label, "description": _sentence(setting.description), **extra}
    if setting.kind == "cells":
        axes = zip(setting.property_names, setting.default, "XY", strict=True)
        return {
            name: _number(setting, default, operator, name=f"{setting.label} {axis}") for name, default, axis in axes
        }
    if setting.kind == "bool":
        return {setting.name: BoolProperty(**common, default=setting.default)}
    if setting.kind == "choice":
        assert setting.choices is not None
        items = [(key, label, "") for key, label in setting.choices().items()]
        return {setting.name: EnumProperty(**common, items=items, default=setting.default)}
    if setting.kind == "styles":  # the keys as text, comma-separated (Setting.parse)
        return {setting.name: StringProperty(**common, default="")}
    if setting.kind == "colour":
        limits = {"soft_min": 0.0, "soft_max": 1.0} if operator else {"min": 0.0, "max": 1.0}
        return {
            setting.name: FloatVectorProperty(
                **common, subtype="COLOR_GAMMA", size=3, **limits, default=_rgb(setting.default)
            )
        }
    number = {setting.name: _number(setting, setting.default, operator, **common)}
    if setting.panel_text:
        number[f"{setting.name}_text"] = _text(setting, **extra)
    return number


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# How a float shows its unit in the panel (in the scene's units); a float without one is a share.
UNITS = {"m": {"unit": "LENGTH"}, "m/s": {"unit": "VELOCITY"}}


def _number(setting: Setting, default: float, operator: bool, **common: str) -> object:
    """An int or float property within what the spec and Blender allow (the operator's: within
    what Blender allows, the spec's range to drag in); lengths show in scene units, shares as
    sliders."""
    common.setdefault("description", _sentence(setting.description))
    limits = setting.panel_limits or setting.limits
    assert limits is not None
    if limits.integer:
        low, high = max(int(limits.low), -INT32_MAX - 1), min(int(limits.high), INT32_MAX)
        # Sizes and places drag in a handy range; a seed drags over all it can be.
        soft = {} if setting.panel_limits else {"soft_min": max(low, -4096), "soft_max": min(high, 512)}
        if operator:
            soft = {"soft_min": low, "soft_max": high, **soft}
            low, high = -INT32_MAX - 1, INT32_MAX
        return IntProperty(**common, default=default, min=low, max=high, **soft)
    unit = UNITS.get(limits.unit, {"subtype": "FACTOR"})
    bounds = {"soft_min": limits.low, "soft_max": limits.high} if operator else {"min": limits.low, "max": limits.high}
    return FloatProperty(**common, default=default, **bounds, **unit)


def _text(setting: Setting, **extra: object) -> object:
    """The text form of a number, for the values its property cannot hold; empty: the number is."""
    assert setting.limits is not None and setting.panel_limits is not None
    return StringProperty(
        name=f"{setting.label} Text",
        description=(
            f"{setting.label} as text, for values the {setting.label} field cannot hold "
            f"({setting.limits.describe()}); when not empty, this is the {setting.name}"
        ),
        default="",
        **extra,
    )


def _rgb(tint: str) -> tuple[float, ...]:
    return tuple(int(tint[i : i + 2], 16) / 255 for i in (1, 3, 5))


def spec_from(source: object) -> LevelSpec:
    """A LevelSpec from anything with the spec properties as attributes (settings or operator)."""
    values: dict[str, object] = {}
    for setting in SETTINGS:
        shown: list[Any] = [_exact(getattr(source, name)) for name in setting.property_names]
        if setting.kind == "colour":
            values[setting.name] = _hex(setting, shown[0])
        elif setting.kind == "styles":
            values[setting.name] = setting.parse(shown[0])
        elif setting.panel_text:
            values[setting.name] = _from_text(setting, shown[1]) if shown[1].strip() else shown[0]
        else:
            values[setting.name] = tuple(shown) if setting.kind == "cells" else shown[0]
    return LevelSpec.from_dict(values)


def _hex(setting: Setting, rgb: Any) -> str:
    if not all(0.0 <= c <= 1.0 for c in rgb):  # an operator's colour is not clamped
        raise InvalidSpecError(setting.name, f"must be an sRGB colour, each part from 0 to 1, got {tuple(rgb)}")
    return "#" + "".join(f"{round(c * 255):02X}" for c in rgb)


def _from_text(setting: Setting, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        assert setting.limits is not None
        raise InvalidSpecError(setting.name, f"must be {setting.limits.describe()}, got {text!r}") from None


def spec_values(spec: LevelSpec) -> dict[str, object]:
    """The property values that show `spec`: the inverse of spec_from. A number its property
    cannot hold goes into its text form; otherwise the text form is empty."""
    values: dict[str, object] = {}
    for setting in SETTINGS:
        value: Any = getattr(spec, setting.name)
        if setting.kind == "colour":
            value = _rgb(value)
        elif setting.kind == "styles":
            value = setting.text(value)
        elif setting.panel_text:
            assert setting.panel_limits is not None
            held = setting.panel_limits.low <= value <= setting.panel_limits.high
            value = [value, ""] if held else [setting.default, str(value)]
        one = setting.kind == "cells" or setting.panel_text
        values.update(zip(setting.property_names, value if one else [value], strict=True))
    return values


def walk_from(source: object) -> dict[str, Any]:
    """The walk settings (as api.walk takes them) from anything with their properties (the scene's
    walk settings or the Walk operator), as typed; not checked."""
    return {setting.name: _exact(getattr(source, setting.name)) for setting in WALK_SETTINGS}


def write_spec(target: object, spec: LevelSpec, names: tuple[str, ...] = SPEC_FIELDS) -> None:
    """Set the properties `names` of `target` (settings or operator) to the values of `spec`."""
    values = spec_values(spec)
    for name in names:
        setattr(target, name, values[name])


def apply_level_preset(
    settings: bpy.types.PropertyGroup, key: str, walk: bpy.types.PropertyGroup | None = None
) -> None:
    """Choose a built-in level preset: its look replaces the settings', seed, size and origin stay;
    the `walk` settings take the level's own walk values where its style has them (a run's pace),
    and those the level before set go back to the defaults. What the panel shows is what Walk uses."""
    before = settings.style
    settings.preset = key
    looks = tuple(name for name in SPEC_FIELDS if name not in KEPT_BY_PRESETS)
    spec = LEVEL_PRESETS[key].spec()
    write_spec(settings, spec, looks)
    if walk is not None:
        restyle_walk(walk, before, spec.style)


def restyle_walk(walk: bpy.types.PropertyGroup, before: str, after: str) -> None:
    """The panel's level went from style `before` to `after`: the walk settings follow (restyled_walk)."""
    for name, value in restyled_walk(before, after).items():
        setattr(walk, name, value)


def _exact(value: object) -> object:
    """Blender stores float properties in single precision: 0.55 comes back as 0.550000011920929.
    Six significant digits recover the typed value, so the panel and the CLI give the same level."""
    return float(f"{value:.6g}") if isinstance(value, float) else value


class BACKROOMS_PG_settings(bpy.types.PropertyGroup):
    """Per-scene Backrooms settings."""

    # The level preset is set by backrooms.level_preset, not by an update callback on this
    # property: with one, Blender 4.2 crashed at exit once the extension had been uninstalled.
    __annotations__ = {"preset": preset_property(), **spec_properties(), **renamed_properties()}


class BACKROOMS_PG_walk(bpy.types.PropertyGroup):
    """Per-scene settings of the walking camera (the Camera sub-panel)."""

    __annotations__ = setting_properties(WALK_SETTINGS)


CLASSES = (BACKROOMS_PG_settings, BACKROOMS_PG_walk)


def adopt_renamed_settings(scene: bpy.types.Scene) -> None:
    """A file or a user preset from before a field was renamed sets the setting under the old name
    (a hidden property of its own): give the value to the property of the new name."""
    settings = scene.backrooms
    for old, new in RENAMED_FIELDS.items():
        if settings.is_property_set(old):
            setattr(settings, new, getattr(settings, old))
            settings.property_unset(old)


@persistent  # type: ignore[untyped-decorator]
def _adopt_on_load(_: object = None) -> None:
    for scene in bpy.data.scenes:
        adopt_renamed_settings(scene)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.backrooms = bpy.props.PointerProperty(type=BACKROOMS_PG_settings)
    bpy.types.Scene.backrooms_walk = bpy.props.PointerProperty(type=BACKROOMS_PG_walk)
    # A file already open when the add-on is enabled (or updated) is not loaded again: Generate
    # adopts its settings then (ui/operators.py). A timer here made Blender 4.2 crash at exit once
    # the extension had been uninstalled.
    bpy.app.handlers.load_post.append(_adopt_on_load)


def unregister() -> None:
    if _adopt_on_load in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_adopt_on_load)
    del bpy.types.Scene.backrooms_walk
    del bpy.types.Scene.backrooms
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
