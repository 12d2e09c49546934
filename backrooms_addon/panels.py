"""Sidebar panel: 3D viewport > Sidebar > Backrooms. Draws settings and buttons, nothing more."""

from __future__ import annotations

import bpy
import numpy as np

from .core.cost import estimate_cost
from .core.errors import BackroomsError
from .core.preview import preview
from .core.render import RENDER_PRESETS
from .operators import (
    BACKROOMS_OT_clear,
    BACKROOMS_OT_generate,
    BACKROOMS_OT_randomize_seed,
    BACKROOMS_OT_render_preset,
)
from .props import spec_from

# The panel's blocks of settings, top to bottom.
SETTING_GROUPS = (
    ("width", "depth"),
    ("algorithm", "density", "room_min", "room_max"),
    ("cell_size", "wall_height", "door_height", "baseboard_height", "perimeter"),
    ("fixture_density", "dead_fraction", "flicker_fraction", "light_budget", "hum"),
    ("chunk_size", "piece_chunks", "origin_x", "origin_y"),
)


class BACKROOMS_PT_level(bpy.types.Panel):
    bl_label = "Backrooms Level"
    bl_idname = "BACKROOMS_PT_level"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Backrooms"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        settings = context.scene.backrooms
        row = layout.row(align=True)
        row.prop(settings, "seed")
        row.operator(BACKROOMS_OT_randomize_seed.bl_idname, text="", icon="FILE_REFRESH")
        for group in SETTING_GROUPS:
            column = layout.column(align=True)
            for name in group:
                column.prop(settings, name)
        draw_preview(layout, settings)
        draw_cost(layout, settings)
        row = layout.row(align=True)
        row.scale_y = 1.4
        row.operator(BACKROOMS_OT_generate.bl_idname, text="Generate", icon="MESH_GRID")
        row.operator(BACKROOMS_OT_clear.bl_idname, text="Clear", icon="TRASH")
        row = layout.row(align=True)
        for key, preset in RENDER_PRESETS.items():
            row.operator(BACKROOMS_OT_render_preset.bl_idname, text=preset.label, icon="RENDER_STILL").preset = key


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
    """What Generate will build, before it is built."""
    try:
        cost = estimate_cost(spec_from(settings))
    except BackroomsError as error:
        layout.label(text=str(error), icon="ERROR")
        return
    box = layout.box()
    box.label(text=f"{cost.faces:,} faces, {cost.troffers:,} troffers, {cost.lamps} lamps", icon="INFO")
    box.label(text=f"About {cost.memory_bytes / 2**20:,.0f} MiB while building")
    if cost.slow:
        box.label(text="Large: this will take a while", icon="ERROR")


CLASSES = (BACKROOMS_PT_level,)


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
