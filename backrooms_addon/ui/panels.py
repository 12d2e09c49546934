"""Sidebar panel: 3D viewport > Sidebar > Backrooms. Draws settings and buttons, nothing more."""

from __future__ import annotations

import bpy
import numpy as np

from ..core.cost import estimate_cost
from ..core.errors import BackroomsError
from ..core.levels import LEVEL_PRESETS
from ..core.preview import preview
from ..core.render import ENGINES, RENDER_PRESETS
from ..core.spec import SETTINGS, Setting
from ..core.stream import WALK_SETTINGS
from .operators import (
    BACKROOMS_OT_clear,
    BACKROOMS_OT_generate,
    BACKROOMS_OT_level_preset,
    BACKROOMS_OT_randomize_seed,
    BACKROOMS_OT_render_preset,
    BACKROOMS_OT_walk,
)
from .presets import BACKROOMS_PT_presets
from .props import spec_from


class BACKROOMS_PT_level(bpy.types.Panel):
    """The level: seed and size, a preview of its layout, what it costs, and Generate / Clear."""

    bl_label = "Backrooms Level"
    bl_idname = "BACKROOMS_PT_level"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Backrooms"

    def draw_header_preset(self, context: bpy.types.Context) -> None:
        BACKROOMS_PT_presets.draw_panel_header(self.layout)

    def draw(self, context: bpy.types.Context) -> None:
        layout = _split(self.layout)
        settings = context.scene.backrooms
        label = LEVEL_PRESETS[settings.preset].label
        layout.operator_menu_enum(BACKROOMS_OT_level_preset.bl_idname, "preset", text=label, icon="PRESET")
        draw_settings(layout, settings, "level", seed_button=True)
        draw_preview(layout, settings)
        draw_cost(layout, settings)
        row = layout.row(align=True)
        row.scale_y = 1.4
        row.operator(BACKROOMS_OT_generate.bl_idname, text="Generate", icon="MESH_GRID")
        row.operator(BACKROOMS_OT_clear.bl_idname, text="Clear", icon="TRASH")


class _SettingsPanel(bpy.types.Panel):
    """A sub-panel showing the scene's Backrooms settings that the settings table puts in it."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Backrooms"
    bl_parent_id = "BACKROOMS_PT_level"
    panel = ""  # the settings table's name for it (core/spec.py PANELS)

    def draw(self, context: bpy.types.Context) -> None:
        draw_settings(_split(self.layout), context.scene.backrooms, self.panel)


def draw_settings(
    layout: bpy.types.UILayout,
    settings: bpy.types.PropertyGroup,
    panel: str,
    seed_button: bool = False,
    table: tuple[Setting, ...] = SETTINGS,
) -> None:
    """The settings of one panel from `table` (the spec's, the walk's), a block per group, in the
    table's order; the seed with its dice."""
    groups: dict[int, list[Setting]] = {}
    for setting in table:
        if setting.panel == panel:
            groups.setdefault(setting.group, []).append(setting)
    for _, members in sorted(groups.items()):
        column = layout.column(align=True)
        for setting in members:
            first, *others = setting.property_names
            if seed_button and setting.name == "seed":  # the dice beside the seed, its text form below
                row = column.row(align=True)
                row.prop(settings, first)
                row.operator(BACKROOMS_OT_randomize_seed.bl_idname, text="", icon="FILE_REFRESH")
            else:
                column.prop(settings, first)
            for name in others:
                column.prop(settings, name)


class BACKROOMS_PT_layout(_SettingsPanel):
    bl_label = "Layout"
    bl_idname = "BACKROOMS_PT_layout"
    panel = "layout"


class BACKROOMS_PT_lighting(_SettingsPanel):
    bl_label = "Lighting"
    bl_idname = "BACKROOMS_PT_lighting"
    panel = "lighting"


class BACKROOMS_PT_materials(_SettingsPanel):
    bl_label = "Materials"
    bl_idname = "BACKROOMS_PT_materials"
    panel = "materials"


class BACKROOMS_PT_camera(_SettingsPanel):
    """The walking camera: its settings and Walk, which walks the level made last (or makes one)."""

    bl_label = "Camera"
    bl_idname = "BACKROOMS_PT_camera"
    panel = "camera"

    def draw(self, context: bpy.types.Context) -> None:
        layout = _split(self.layout)
        draw_settings(layout, context.scene.backrooms_walk, self.panel, table=WALK_SETTINGS)
        row = layout.row(align=True)
        row.scale_y = 1.4
        row.operator(BACKROOMS_OT_walk.bl_idname, text="Walk", icon="CAMERA_DATA")


class BACKROOMS_PT_output(_SettingsPanel):
    """Render presets for the scene."""

    bl_label = "Output"
    bl_idname = "BACKROOMS_PT_output"

    def draw(self, context: bpy.types.Context) -> None:
        # A row per engine: Cycles' presets, then EEVEE's.
        for engine in ENGINES:
            row = self.layout.row(align=True)
            for key, preset in RENDER_PRESETS.items():
                if preset.engine == engine:
                    button = row.operator(BACKROOMS_OT_render_preset.bl_idname, text=preset.label, icon="RENDER_STILL")
                    button.preset = key


def _split(layout: bpy.types.UILayout) -> bpy.types.UILayout:
    layout.use_property_split = True
    layout.use_property_decorate = False
    return layout


PREVIEW_PIXELS = 128
_previews: dict[str, object] = {}  # "collection": the bpy.utils.previews collection, while registered


def draw_preview(layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
    """A top-down thumbnail of the layout, made by the core in milliseconds, so seeds can be
    flipped through before anything is built."""
    collection = _previews.get("collection")
    try:
        spec = spec_from(settings)
    except BackroomsError:
        return
    if collection is None:
        return
    key = repr(sorted(spec.to_dict().items()))
    if key not in collection:  # type: ignore[operator]
        if len(collection) > 32:  # type: ignore[arg-type]
            collection.clear()  # type: ignore[attr-defined]
        item = collection.new(key)  # type: ignore[attr-defined]
        rgb = preview(spec, PREVIEW_PIXELS)[::-1].astype(np.float32) / 255  # Blender: bottom row first
        rgba = np.concatenate([rgb, np.ones((*rgb.shape[:2], 1), np.float32)], axis=2)
        item.image_size = (PREVIEW_PIXELS, PREVIEW_PIXELS)
        item.image_pixels_float.foreach_set(rgba.ravel())
    layout.template_icon(icon_value=collection[key].icon_id, scale=8.0)  # type: ignore[index]


def draw_cost(layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
    """What Generate will build, before it is built, and a warning when it takes over a minute."""
    try:
        cost = estimate_cost(spec_from(settings))
    except BackroomsError as error:
        layout.label(text=str(error), icon="ERROR")
        return
    box = layout.box()
    box.label(text=f"{cost.faces:,} faces, {cost.troffers:,} troffers, {cost.lamps} lamps", icon="INFO")
    box.label(text=f"About {cost.memory_bytes / 2**20:,.0f} MiB and {cost.duration} to generate")
    if cost.over_a_minute:
        box.label(text="Slow: over a minute to generate", icon="ERROR")
    elif cost.slow:
        box.label(text="Large: this will take a while", icon="ERROR")


CLASSES = (
    BACKROOMS_PT_level,
    BACKROOMS_PT_layout,
    BACKROOMS_PT_lighting,
    BACKROOMS_PT_materials,
    BACKROOMS_PT_camera,
    BACKROOMS_PT_output,
)


def register() -> None:
    import bpy.utils.previews

    _previews["collection"] = bpy.utils.previews.new()
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister() -> None:
    import bpy.utils.previews

    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
    bpy.utils.previews.remove(_previews.pop("collection"))
