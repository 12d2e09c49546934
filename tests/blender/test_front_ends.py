"""Every front end builds the same spec from the settings table: the panel's settings, the
operator's arguments, the API and the command line, field by field and preset by preset."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from settings_strategies import any_specs

LEVEL_KEY = "backrooms_level"
SPEC_KEY = "backrooms_spec"
PLACE = {"seed": 5, "width": 16, "depth": 12}  # what presets keep: small, so each build is quick
SMALL = {"width": st.integers(1, 12), "depth": st.integers(1, 12), "floors": st.integers(1, 2)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=any_specs(panel=True))
def test_every_field_round_trips_through_the_panel_settings(
    scene: bpy.types.Scene, addon: ModuleType, spec: object
) -> None:
    props = addon.ui.props
    spec = addon.core.LevelSpec.from_dict(spec.to_dict())  # the add-on's own class, as Blender imported it
    props.write_spec(scene.backrooms, spec)
    assert props.spec_from(scene.backrooms) == spec
    shown = {name: getattr(scene.backrooms, name) for name in props.SPEC_FIELDS}
    props.write_spec(scene.backrooms, props.spec_from(scene.backrooms))
    assert {name: getattr(scene.backrooms, name) for name in props.SPEC_FIELDS} == shown


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=any_specs(panel=True, **SMALL))
def test_every_field_round_trips_through_the_operator_arguments(
    scene: bpy.types.Scene, addon: ModuleType, api: ModuleType, spec: object
) -> None:
    spec = addon.core.LevelSpec.from_dict(spec.to_dict())
    arguments = addon.ui.props.spec_values(spec)
    assert set(arguments) == set(addon.ui.props.SPEC_FIELDS) and "wall_thickness" in arguments
    assert bpy.ops.backrooms.generate(**arguments) == {"FINISHED"}
    assert _built_spec(addon, api, scene) == spec
    assert addon.ui.props.spec_from(scene.backrooms) == spec, "the arguments are written back to the settings"


def _built_spec(addon: ModuleType, api: ModuleType, scene: bpy.types.Scene) -> object:
    (collection,) = api.levels(scene)
    return addon.core.LevelSpec.from_dict(json.loads(collection[SPEC_KEY]))


def _geometry_digest() -> str:
    """A hash of every generated mesh's vertices, in object-name order: equal for equal levels."""
    digest = hashlib.sha256()
    for obj in sorted((o for o in bpy.data.objects if LEVEL_KEY in o and o.type == "MESH"), key=lambda o: o.name):
        values = np.empty(len(obj.data.vertices) * 3, np.float32)
        obj.data.vertices.foreach_get("co", values)
        digest.update(obj.name.encode() + np.round(values, 4).tobytes())
    return digest.hexdigest()


def _reset(scene: bpy.types.Scene) -> None:
    bpy.ops.backrooms.clear(all_levels=True) if bpy.ops.backrooms.clear.poll() else None
    bpy.ops.backrooms.level_preset(preset="LEVEL_0")


@pytest.mark.parametrize(
    "preset",
    ["LEVEL_0", "LEVEL_0_MAZE", "LEVEL_0_HALLS", "LEVEL_0_BLACKOUT", "LEVEL_1", "LEVEL_37", "LEVEL_188"],
)
def test_every_front_end_builds_a_preset_the_same(
    scene: bpy.types.Scene, addon: ModuleType, api: ModuleType, preset: str, tmp_path: Path
) -> None:
    expected = addon.core.levels.preset_spec(preset, **PLACE)
    assert list(addon.core.levels.LEVEL_PRESETS) == list(addon.core.levels.LEVEL_PRESETS)  # registry order
    # The API.
    level = api.generate(preset=preset, scene=scene, **PLACE)
    assert level.plan.spec == expected
    layout_hash, geometry = level.plan.layout.digest(), _geometry_digest()
    # The panel's way: choose the preset in the drop-down, then press Generate.
    _reset(scene)
    for name, value in PLACE.items():
        setattr(scene.backrooms, name, value)
    assert bpy.ops.backrooms.level_preset(preset=preset) == {"FINISHED"}
    assert bpy.ops.backrooms.generate() == {"FINISHED"}
    assert _built_spec(addon, api, scene) == expected
    assert _geometry_digest() == geometry
    # The operator with the preset as an argument, from other settings.
    _reset(scene)
    scene.backrooms.wall_thickness, scene.backrooms.density = 0.05, 1.0
    assert bpy.ops.backrooms.generate(preset=preset, **PLACE) == {"FINISHED"}
    assert _built_spec(addon, api, scene) == expected
    assert _geometry_digest() == geometry
    # The command line.
    argv = ["generate", "--preset", preset, "--formats", "json", "--out", str(tmp_path), "--name", "level"]
    argv += [arg for name, value in PLACE.items() for arg in (f"--{name}", str(value))]
    assert addon.cli.main(argv) == 0
    document = json.loads((tmp_path / "level.json").read_text())
    assert addon.core.LevelSpec.from_dict(document["spec"]) == expected
    assert document["layout_sha256"] == layout_hash


def test_floor_styles_typed_in_the_panel_are_the_api_s(scene: bpy.types.Scene, addon: ModuleType) -> None:
    """The panel's Floor Styles field holds the keys comma-separated, as --floor-styles takes them."""
    settings, props, core = scene.backrooms, addon.ui.props, addon.core
    settings.style, settings.floors, settings.floor_styles = "LEVEL_0", 3, " LEVEL_0 ,LEVEL_1, LEVEL_188"
    expected = ("LEVEL_0", "LEVEL_1", "LEVEL_188")
    assert props.spec_from(settings).floor_styles == expected
    spec = props.spec_from(settings)
    props.write_spec(settings, spec)
    assert settings.floor_styles == "LEVEL_0,LEVEL_1,LEVEL_188", "written back as the command line takes it"
    assert props.spec_from(settings) == spec
    settings.floor_styles = ""
    assert props.spec_from(settings).floor_styles == (), "empty: every floor the level's own"
    settings.floor_styles = "LEVEL_0,LEVEL_9"
    with pytest.raises(core.InvalidSpecError, match=r"^floor_styles: must be a list of styles"):
        props.spec_from(settings)
    assert bpy.ops.backrooms.generate(floor_styles="LEVEL_0,LEVEL_1", floors=2, width=6, depth=6) == {"FINISHED"}
    assert settings.floor_styles == "LEVEL_0,LEVEL_1"


SEEDS = [0, 7, 2**31 - 1, 2**31, 5_000_000_000, 2**64 - 1, -1, -(2**63)]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_the_core_takes_round_trips_through_the_panel(
    scene: bpy.types.Scene, addon: ModuleType, seed: int
) -> None:
    props = addon.ui.props
    spec = addon.core.LevelSpec(seed=seed)
    props.write_spec(scene.backrooms, spec)
    assert props.spec_from(scene.backrooms).seed == seed
    held = 0 <= seed < 2**31
    assert (scene.backrooms.seed, scene.backrooms.seed_text) == ((seed, "") if held else (0, str(seed)))


def test_a_seed_typed_as_text_is_the_seed(scene: bpy.types.Scene, addon: ModuleType) -> None:
    settings, props = scene.backrooms, addon.ui.props
    settings.seed, settings.seed_text = 12, " 5000000000 "
    assert props.spec_from(settings).seed == 5_000_000_000, "the text, when not empty, is the seed"
    settings.seed_text = ""
    assert props.spec_from(settings).seed == 12
    settings.seed_text = "five"
    with pytest.raises(addon.core.InvalidSpecError, match=r"^seed: must be an integer from -9223372036854775808"):
        props.spec_from(settings)
    settings.seed_text = str(2**64)
    with pytest.raises(addon.core.InvalidSpecError, match=r"^seed: must be .* got 18446744073709551616"):
        props.spec_from(settings)


@pytest.mark.parametrize("seed", [5_000_000_000, 2**64 - 1, -3])
def test_the_operator_takes_every_seed_and_scripts_still_pass_small_ones(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, seed: int
) -> None:
    assert bpy.ops.backrooms.generate(seed_text=str(seed), width=4, depth=4) == {"FINISHED"}
    assert _built_spec(addon, api, scene).seed == seed
    assert scene.backrooms.seed_text == str(seed), "stored exactly in the settings"
    # A seed as a number, as the README shows: the settings' text form is no longer the seed.
    assert bpy.ops.backrooms.generate(seed=7) == {"FINISHED"}
    assert _built_spec(addon, api, scene).seed == 7
    assert (scene.backrooms.seed, scene.backrooms.seed_text) == (7, "")
    # From the settings (the panel's Generate).
    scene.backrooms.seed_text = str(seed)
    assert bpy.ops.backrooms.generate() == {"FINISHED"}
    assert _built_spec(addon, api, scene).seed == seed


def _out_of_range() -> list[tuple[str, object]]:
    """(property, value) just outside each numeric setting's range, where the property can take it."""
    from backrooms_addon.core.spec import INT32_MAX, SETTINGS

    cases: list[tuple[str, object]] = []
    for setting in SETTINGS:
        if setting.limits is None:
            continue
        for value in (setting.limits.low - 1, setting.limits.high + 1):
            if setting.limits.integer and not -INT32_MAX - 1 <= value <= INT32_MAX:
                continue  # beyond any Blender integer: the seed's text form below
            cases += [(name, value) for name in setting.property_names if not name.endswith("_text")]
    return [*cases, ("seed_text", str(2**64)), ("seed_text", str(-(2**63) - 1)), ("wallpaper_tint", (1.5, 0, 0))]


@pytest.mark.parametrize(("name", "value"), _out_of_range(), ids=lambda v: str(v))
def test_out_of_range_operator_arguments_fail_like_the_api(
    scene: bpy.types.Scene, api: ModuleType, addon: ModuleType, name: str, value: object
) -> None:
    api.generate(seed=1, width=4, depth=4, scene=scene)
    settings = dict(addon.ui.props.spec_values(addon.ui.props.spec_from(scene.backrooms)))
    objects = sorted(obj.name for obj in bpy.data.objects)
    with pytest.raises(RuntimeError, match=rf"^Error: {name.removesuffix('_text')}: must be "):
        bpy.ops.backrooms.generate(**{name: value})
    assert sorted(obj.name for obj in bpy.data.objects) == objects, "nothing built or removed"
    assert addon.ui.props.spec_values(addon.ui.props.spec_from(scene.backrooms)) == settings


def test_the_panel_keeps_the_spec_s_limits(scene: bpy.types.Scene) -> None:
    properties = scene.backrooms.bl_rna.properties
    assert (properties["width"].hard_min, properties["width"].hard_max) == (1, 100_000)
    assert (properties["density"].hard_min, properties["density"].hard_max) == (0.0, 1.0)
    operator = bpy.ops.backrooms.generate.get_rna_type().properties
    assert operator["width"].hard_min < 1 and (operator["width"].soft_min, operator["width"].soft_max) == (1, 512)
