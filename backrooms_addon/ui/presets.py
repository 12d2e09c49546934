"""User presets of the Backrooms settings, with Blender's own preset system (panel header menu)."""

from __future__ import annotations

import re
from pathlib import Path

import bpy
from bl_operators.presets import AddPresetBase
from bl_ui.utils import PresetPanel

from ..core.spec import RENAMED_FIELDS
from .props import SPEC_FIELDS

PRESET_SUBDIR = "backrooms"


def bring_up_to_date(context: bpy.types.Context, filepath: str) -> None:
    """A preset saved before a setting was renamed names the old property, and the line that sets it
    would stop the preset half way: rename it in the preset file before Blender runs it."""
    path = Path(filepath)
    text = path.read_text(encoding="utf-8")
    current = text
    for old, new in RENAMED_FIELDS.items():
        current = re.sub(rf"^settings\.{old} = ", f"settings.{new} = ", current, flags=re.MULTILINE)
    if current != text:
        path.write_text(current, encoding="utf-8")


class BACKROOMS_PT_presets(PresetPanel, bpy.types.Panel):
    bl_label = "Backrooms Presets"
    preset_subdir = PRESET_SUBDIR
    preset_operator = "script.execute_preset"
    preset_add_operator = "backrooms.add_preset"
    reset_cb = staticmethod(bring_up_to_date)  # Blender calls it with the preset's path before running it


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
