"""The extension as Blender loads it: module name, operators, panel, menu, and clean re-registration."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
from blender_support import ADDON_MODULE, disable_extension, enable_extension

CLASS_NAMES = (
    "BACKROOMS_OT_generate",
    "BACKROOMS_OT_clear",
    "BACKROOMS_OT_randomize_seed",
    "BACKROOMS_OT_level_preset",
    "BACKROOMS_OT_render_preset",
    "BACKROOMS_PT_level",
    "BACKROOMS_PT_layout",
    "BACKROOMS_PT_lighting",
    "BACKROOMS_PT_output",
)


def _handler_counts() -> dict[str, int]:
    return {
        name: len(getattr(bpy.app.handlers, name))
        for name in dir(bpy.app.handlers)
        if not name.startswith("_") and isinstance(getattr(bpy.app.handlers, name), list)
    }


def _add_menu_functions() -> list[str]:
    return [getattr(f, "__module__", "") for f in bpy.types.VIEW3D_MT_add._dyn_ui_initialize()]


def test_enabled_the_way_blender_enables_extensions(extension: ModuleType) -> None:
    assert extension.__name__ == ADDON_MODULE
    assert ADDON_MODULE in bpy.context.preferences.addons
    assert hasattr(bpy.ops.backrooms, "generate") and hasattr(bpy.ops.backrooms, "clear")


def test_sidebar_panel_in_the_backrooms_tab(extension: ModuleType) -> None:
    panel = bpy.types.BACKROOMS_PT_level
    assert panel.bl_space_type == "VIEW_3D"
    assert panel.bl_region_type == "UI"
    assert panel.bl_category == "Backrooms"


def test_add_menu_entry(extension: ModuleType) -> None:
    assert any(module.startswith(ADDON_MODULE) for module in _add_menu_functions())


def test_generate_operator_is_undoable_and_redoable(extension: ModuleType) -> None:
    rna = bpy.ops.backrooms.generate.get_rna_type()
    assert {"seed", "width", "depth", "density", "new_level"} <= set(rna.properties.keys())
    assert {"REGISTER", "UNDO"} <= set(bpy.types.BACKROOMS_OT_generate.bl_options)


def test_register_unregister_three_times_leaves_nothing_behind(extension: ModuleType) -> None:
    handlers_before = _handler_counts()
    # The add-on's handlers: one adopts settings saved under a field's older name on load, one
    # draws the camcorder look's display and tape noise for each frame shown or rendered.
    ours = ("load_post", "frame_change_pre", "render_pre")
    without = {**handlers_before, **{name: handlers_before[name] - 1 for name in ours}}
    for _ in range(3):
        disable_extension()
        for name in CLASS_NAMES:
            assert not hasattr(bpy.types, name), f"{name} still registered"
        assert "backrooms" not in bpy.types.Scene.bl_rna.properties
        assert not any(module.startswith(ADDON_MODULE) for module in _add_menu_functions())
        assert _handler_counts() == without
        assert ADDON_MODULE not in bpy.context.preferences.addons
        enable_extension()
        for name in CLASS_NAMES:
            assert hasattr(bpy.types, name), f"{name} missing after re-enabling"
        settings = bpy.types.Scene.bl_rna.properties["backrooms"]
        assert settings.fixed_type.identifier == "BACKROOMS_PG_settings"
        assert sum(module.startswith(ADDON_MODULE) for module in _add_menu_functions()) == 1
    assert _handler_counts() == handlers_before


class _LayoutRecorder:
    """Stands in for a UILayout (which only exists while Blender draws a window) and records calls."""

    def __init__(self, calls: list[tuple[str, str]]) -> None:
        self.calls = calls
        self.use_property_split = self.use_property_decorate = False
        self.scale_y = 1.0

    def column(self, **_: object) -> _LayoutRecorder:
        return self

    row = column

    def prop(self, data: object, name: str, **_: object) -> None:
        self.calls.append(("prop", name))

    def box(self) -> _LayoutRecorder:
        return self

    def label(self, text: str = "", **_: object) -> None:
        self.calls.append(("label", text))

    def template_icon(self, icon_value: int = 0, **_: object) -> None:
        self.calls.append(("icon", str(icon_value)))

    def operator(self, idname: str, **_: object) -> object:
        self.calls.append(("operator", idname))
        return type("OperatorProperties", (), {})()

    def operator_menu_enum(self, idname: str, property: str, **_: object) -> None:
        # A drop-down of the operator's enum: it shows (and sets) the setting of the same name.
        self.calls.extend([("operator", idname), ("prop", property)])


def test_panels_draw_every_setting_and_the_buttons(scene: bpy.types.Scene) -> None:
    calls: list[tuple[str, str]] = []
    for name in (
        "BACKROOMS_PT_level",
        "BACKROOMS_PT_layout",
        "BACKROOMS_PT_lighting",
        "BACKROOMS_PT_materials",
        "BACKROOMS_PT_output",
    ):
        panel = getattr(bpy.types, name)
        if name != "BACKROOMS_PT_level":
            assert panel.bl_parent_id == "BACKROOMS_PT_level" and panel.bl_category == "Backrooms"
        stand_in = type("Panel", (), {"layout": _LayoutRecorder(calls), "panel": getattr(panel, "panel", "")})()
        panel.draw(stand_in, bpy.context)
    drawn = [name for kind, name in calls if kind == "prop"]
    properties = scene.backrooms.bl_rna.properties
    settings = {p.identifier for p in properties if not p.is_hidden} - {"rna_type", "name"}
    assert sorted(drawn) == sorted(settings), "every setting exactly once"
    hidden = {p.identifier for p in properties if p.is_hidden} - {"rna_type"}
    assert hidden == {"level"}, "only the style's older name is hidden"
    assert ("operator", "backrooms.generate") in calls and ("operator", "backrooms.clear") in calls
    assert calls.count(("operator", "backrooms.render_preset")) == 6, "preview, final and footage, in each engine"
    assert ("operator", "backrooms.randomize_seed") in calls
    assert ("operator", "backrooms.level_preset") in calls
    labels = [text for kind, text in calls if kind == "label"]
    assert any("faces" in text and "troffers" in text for text in labels), "the cost readout"
    assert len([kind for kind, _ in calls if kind == "icon"]) == 1, "the layout preview is shown"


def test_layout_preview_follows_the_settings(scene: bpy.types.Scene, addon: ModuleType) -> None:
    panels = importlib.import_module(f"{addon.__name__}.ui.panels")
    collection = panels._previews["collection"]

    def pixels() -> np.ndarray:
        bpy.types.BACKROOMS_PT_level.draw(type("Panel", (), {"layout": _LayoutRecorder([])})(), bpy.context)
        key = repr(sorted(addon.ui.props.spec_from(scene.backrooms).to_dict().items()))
        item = collection[key]
        assert tuple(item.image_size) == (panels.PREVIEW_PIXELS, panels.PREVIEW_PIXELS)
        values = np.empty(len(item.image_pixels_float), np.float32)
        item.image_pixels_float.foreach_get(values)
        return values.reshape(panels.PREVIEW_PIXELS, panels.PREVIEW_PIXELS, 4)

    first = pixels()
    assert first[..., 0].min() < 0.3 < first[..., 0].max(), "walls drawn dark on a light floor"
    scene.backrooms.seed += 1
    assert not np.array_equal(pixels(), first), "a new seed, a new preview"


def test_randomize_seed(scene: bpy.types.Scene) -> None:
    scene.backrooms.seed = 5
    assert bpy.ops.backrooms.randomize_seed() == {"FINISHED"}
    assert scene.backrooms.seed != 5 and 0 <= scene.backrooms.seed < 2**31
    scene.backrooms.seed_text = "5000000000"
    assert bpy.ops.backrooms.randomize_seed() == {"FINISHED"}
    assert scene.backrooms.seed_text == "", "the new seed is the seed, not the text form"


def test_user_presets_save_and_restore_the_settings(scene: bpy.types.Scene) -> None:
    settings = scene.backrooms
    settings.seed, settings.width, settings.density, settings.algorithm = 77, 41, 0.25, "kruskal"
    settings.floors, settings.floor_styles = 2, "LEVEL_0,LEVEL_37"
    assert bpy.ops.backrooms.add_preset(name="Test Halls") == {"FINISHED"}
    folder = Path(bpy.utils.user_resource("SCRIPTS", path="presets/backrooms"))
    preset = folder / "Test_Halls.py"
    assert preset.is_file()
    settings.seed, settings.width, settings.density, settings.algorithm = 1, 9, 0.9, "prim"
    settings.floors, settings.floor_styles = 1, ""
    assert bpy.ops.script.execute_preset(filepath=str(preset), menu_idname="BACKROOMS_PT_presets") == {"FINISHED"}
    assert (settings.seed, settings.width, settings.algorithm) == (77, 41, "kruskal")
    assert (settings.floors, settings.floor_styles) == (2, "LEVEL_0,LEVEL_37")
    assert abs(settings.density - 0.25) < 1e-6
    preset.unlink()


def test_a_user_preset_saved_before_the_style_was_renamed_still_restores_every_setting(
    scene: bpy.types.Scene,
) -> None:
    settings = scene.backrooms
    settings.style, settings.floors, settings.pool_density = "LEVEL_37", 3, 0.5
    preset = Path(bpy.utils.user_resource("SCRIPTS", path="presets/backrooms")) / "Old_Pools.py"
    preset.unlink(missing_ok=True)  # left by a run that stopped half way
    assert bpy.ops.backrooms.add_preset(name="Old Pools") == {"FINISHED"}
    text = preset.read_text()
    assert "settings.style = 'LEVEL_37'" in text
    # What the add-on wrote before the rename: the style under its old name, before the floors.
    preset.write_text(text.replace("settings.style = ", "settings.level = "))
    settings.style, settings.floors, settings.pool_density = "LEVEL_0", 1, 0.0
    assert bpy.ops.script.execute_preset(filepath=str(preset), menu_idname="BACKROOMS_PT_presets") == {"FINISHED"}
    assert (settings.style, settings.floors) == ("LEVEL_37", 3)
    assert abs(settings.pool_density - 0.5) < 1e-6
    assert not settings.is_property_set("level")
    assert "settings.level = " in preset.read_text(), "the user's file is left as it was"
    preset.unlink()


def test_a_file_saved_before_the_style_was_renamed_keeps_its_style(scene: bpy.types.Scene, tmp_path: Path) -> None:
    settings = scene.backrooms
    settings.floors = 2
    settings.level = "LEVEL_188"  # how such a file holds it: under the old name, and no style
    settings.property_unset("style")
    path = tmp_path / "old.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    settings = bpy.context.scene.backrooms
    assert (settings.style, settings.floors) == ("LEVEL_188", 2)
    assert not settings.is_property_set("level")


def test_settings_under_the_old_name_are_adopted_by_generate(scene: bpy.types.Scene, api: ModuleType) -> None:
    """A file opened before the add-on was enabled (or updated) is not loaded again."""
    scene.backrooms.level = "LEVEL_1"
    scene.backrooms.property_unset("style")
    assert bpy.ops.backrooms.generate(width=4, depth=4) == {"FINISHED"}
    assert scene.backrooms.style == "LEVEL_1" and not scene.backrooms.is_property_set("level")
    (collection,) = api.levels(scene)
    assert json.loads(collection["backrooms_spec"])["style"] == "LEVEL_1"


def test_the_seed_drags_over_its_whole_range(scene: bpy.types.Scene) -> None:
    seed = scene.backrooms.bl_rna.properties["seed"]
    assert (seed.soft_min, seed.soft_max) == (seed.hard_min, seed.hard_max) == (0, 2**31 - 1)
