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
