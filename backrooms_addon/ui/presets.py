"""User presets of the Backrooms settings, with Blender's own preset system (panel header menu)."""

from __future__ import annotations

import bpy
from bl_operators.presets import AddPresetBase
from bl_ui.utils import PresetPanel

from .props import SPEC_FIELDS, adopt_renamed_settings

PRESET_SUBDIR = "backrooms"


def adopt_renamed(context: bpy.types.Context, filepath: str) -> None:
    """A preset saved before a setting was renamed sets it under its old name: move it over."""
    adopt_renamed_settings(context.scene)


class BACKROOMS_PT_presets(PresetPanel, bpy.types.Panel):
    bl_label = "Backrooms Presets"
    preset_subdir = PRESET_SUBDIR
    preset_operator = "script.execute_preset"
    preset_add_operator = "backrooms.add_preset"
    post_cb = staticmethod(adopt_renamed)  # Blender calls it with the preset's path after running it


class BACKROOMS_OT_add_preset(AddPresetBase, bpy.types.Operator):
    """Save the scene's Backrooms settings as a preset, or remove one"""

    bl_idname = "backrooms.add_preset"
    bl_label = "Add Backrooms Preset"
    preset_menu = "BACKROOMS_PT_presets"
    preset_subdir = PRESET_SUBDIR
    preset_defines = ["settings = bpy.context.scene.backrooms"]
    # Which level preset the settings came from, and then the settings themselves.
    preset_values = ["settings.preset", *(f"settings.{name}" for name in SPEC_FIELDS)]


CLASSES = (BACKROOMS_PT_presets, BACKROOMS_OT_add_preset)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
