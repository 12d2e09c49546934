"""Operators: thin wrappers that read properties, build a spec, call the API and report."""

from __future__ import annotations

import random

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty

from . import api
from .build.output import apply_render_preset
from .core.errors import BackroomsError
from .core.render import RENDER_PRESETS
from .core.version import GENERATOR_VERSION
from .props import SPEC_FIELDS, spec_from, spec_properties


class BACKROOMS_OT_generate(bpy.types.Operator):
    """Generate a Backrooms level (replaces the level generated last)"""

    bl_idname = "backrooms.generate"
    bl_label = "Generate Backrooms Level"
    bl_options = {"REGISTER", "UNDO"}

    __annotations__ = {
        **spec_properties(),
        "new_level": BoolProperty(
            name="New Level", description="Keep the level generated last and add another", default=False
        ),
    }

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.backrooms
        # Unset arguments come from the scene settings; set ones are written back to them,
        # but only once the spec is known to be valid, so bad input changes nothing.
        for name in SPEC_FIELDS:
            if not self.properties.is_property_set(name):
                setattr(self, name, getattr(settings, name))
        try:
            spec = spec_from(self)
            for name in SPEC_FIELDS:
                setattr(settings, name, getattr(self, name))
            level = api.generate(spec, scene=context.scene, new_level=self.new_level)
        except BackroomsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"{level.collection.name}: {level.plan.face_count()} faces")
        return {"FINISHED"}


class _NeedsLevel:
    """Operators that work on an existing level: greyed out, with a reason, when there is none."""

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not api.levels(context.scene):
            cls.poll_message_set("There is no Backrooms level in this scene")  # type: ignore[attr-defined]
            return False
        return True


class BACKROOMS_OT_clear(_NeedsLevel, bpy.types.Operator):
    """Remove the Backrooms level generated last (or all of them); your own objects stay"""

    bl_idname = "backrooms.clear"
    bl_label = "Clear Backrooms Level"
    bl_options = {"REGISTER", "UNDO"}

    all_levels: BoolProperty(name="All Levels", description="Remove every Backrooms level in the scene", default=False)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        removed = api.clear(context.scene, all_levels=self.all_levels)
        self.report({"INFO"}, f"Removed {removed} generated objects")
        return {"FINISHED"}


class BACKROOMS_OT_regenerate(_NeedsLevel, bpy.types.Operator):
    """Rebuild the level generated last from the settings saved with it"""

    bl_idname = "backrooms.regenerate"
    bl_label = "Regenerate Backrooms Level"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            level, made_by = api.regenerate(context.scene)
        except BackroomsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if made_by != GENERATOR_VERSION:
            self.report(
                {"WARNING"},
                f"{level.collection.name} was made by generator version {made_by}; this is version "
                f"{GENERATOR_VERSION}, so the rebuilt level differs from the old one",
            )
        else:
            self.report({"INFO"}, f"{level.collection.name} rebuilt")
        return {"FINISHED"}


class BACKROOMS_OT_extend(_NeedsLevel, bpy.types.Operator):
    """Add the neighbouring chunks on one side to the level generated last, seamlessly"""

    bl_idname = "backrooms.extend"
    bl_label = "Extend Backrooms Level"
    bl_options = {"REGISTER", "UNDO"}

    side: EnumProperty(  # type: ignore[valid-type]
        name="Side",
        items=[(side, side.title(), f"Add chunks on the {side.lower()} side") for side in api.SIDES],
    )
    chunks: IntProperty(name="Chunks", description="How many chunks to add", default=1, min=1, max=64)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            level = api.extend(self.side, self.chunks, context.scene)
        except BackroomsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        spec = level.plan.spec
        self.report({"INFO"}, f"{level.collection.name}: now {spec.width} x {spec.depth} cells")
        return {"FINISHED"}


class BACKROOMS_OT_randomize_seed(bpy.types.Operator):
    """Pick a new random seed for the next level"""

    bl_idname = "backrooms.randomize_seed"
    bl_label = "Random Seed"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.backrooms
        # A private generator: nothing touches Python's global random state.
        seed = random.SystemRandom().randrange(1 << 31)
        while seed == settings.seed:
            seed = random.SystemRandom().randrange(1 << 31)
        settings.seed = seed
        return {"FINISHED"}


class BACKROOMS_OT_render_preset(bpy.types.Operator):
    """Set the scene up to render a Backrooms level: Cycles on the CPU, light tree, denoised"""

    bl_idname = "backrooms.render_preset"
    bl_label = "Backrooms Render Preset"
    bl_options = {"REGISTER", "UNDO"}

    preset: EnumProperty(  # type: ignore[valid-type]
        name="Preset",
        items=[
            (key, preset.label, f"{preset.samples} samples, {preset.resolution[0]} x {preset.resolution[1]}")
            for key, preset in RENDER_PRESETS.items()
        ],
    )

    def execute(self, context: bpy.types.Context) -> set[str]:
        apply_render_preset(context.scene, RENDER_PRESETS[self.preset])
        self.report({"INFO"}, f"Render preset: {RENDER_PRESETS[self.preset].label}")
        return {"FINISHED"}


def draw_add_menu(menu: bpy.types.Menu, context: bpy.types.Context) -> None:
    menu.layout.separator()
    menu.layout.operator(BACKROOMS_OT_generate.bl_idname, text="Backrooms Level", icon="MESH_GRID")


CLASSES = (
    BACKROOMS_OT_generate,
    BACKROOMS_OT_clear,
    BACKROOMS_OT_regenerate,
    BACKROOMS_OT_extend,
    BACKROOMS_OT_randomize_seed,
    BACKROOMS_OT_render_preset,
)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.VIEW3D_MT_add.append(draw_add_menu)


def unregister() -> None:
    bpy.types.VIEW3D_MT_add.remove(draw_add_menu)
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
