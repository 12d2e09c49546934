"""Operators: thin wrappers that read properties, build a spec, call the API and report."""

from __future__ import annotations

import random
import time
from typing import Any, Generic, TypeVar, cast

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty

from .. import api
from ..core.errors import BackroomsError
from ..core.levels import LEVEL_PRESETS
from ..core.render import ENGINE_LABELS, RENDER_PRESETS, RenderPreset
from ..core.spec import SETTINGS, LevelSpec
from ..core.stream import WALK_SETTINGS
from ..core.version import GENERATOR_VERSION
from ..realize.level import GeneratedLevel, Progress, Steps, run_steps
from ..realize.output import apply_render_preset
from ..realize.walk import WalkLevel
from .props import (
    KEPT_BY_PRESETS,
    SPEC_FIELDS,
    adopt_renamed_settings,
    apply_level_preset,
    preset_property,
    restyle_walk,
    setting_properties,
    spec_from,
    spec_properties,
    spec_values,
    walk_from,
    write_spec,
)

T = TypeVar("T")

# While a level builds in the viewport, these events still reach the view: looking around is safe,
# editing the scene under a half-built level is not.
NAVIGATION_EVENTS = frozenset(
    {"MIDDLEMOUSE", "WHEELUPMOUSE", "WHEELDOWNMOUSE", "TRACKPADPAN", "TRACKPADZOOM", "MOUSEROTATE", "MOUSEMOVE"}
)
# How often the build runs and how long one run may take before the UI gets to redraw.
TICK_S = 0.01
STEP_BUDGET_S = 0.05


class BuildStatus:
    """Shows a build's progress: the window manager's progress indicator and the status bar."""

    def __init__(self, context: bpy.types.Context) -> None:
        self.window_manager = context.window_manager
        self.workspace = context.workspace
        self.total = 0
        self.text = ""

    def show(self, progress: Progress) -> None:
        if progress.total and not self.total:
            self.total = progress.total
            self.window_manager.progress_begin(0, progress.total)
        if self.total:
            self.window_manager.progress_update(progress.done)
        percent = f" ({100 * progress.done // progress.total}%)" if progress.total else ""
        self.text = f"Backrooms: {progress.text}{percent}, Esc to stop"
        if self.workspace is not None:
            self.workspace.status_text_set(self.text)

    def end(self) -> None:
        if self.total:
            self.window_manager.progress_end()
        if self.workspace is not None:
            self.workspace.status_text_set(None)
        self.text = ""


class TimedBuild(Generic[T]):
    """A build (a level, a walk) run a few steps per timer tick, its status shown, for a modal operator."""

    def __init__(self, context: bpy.types.Context, steps: Steps[T]) -> None:
        self.steps = steps
        self.status = BuildStatus(context)
        self.building = False  # True once the old level is replaced and pieces are being made
        self.window_manager = context.window_manager
        self.timer = self.window_manager.event_timer_add(TICK_S, window=context.window)

    def tick(self) -> T | None:
        """Build one step, and more while STEP_BUDGET_S lasts; returns what was built once it is complete."""
        deadline = time.perf_counter() + STEP_BUDGET_S
        try:
            while True:
                progress = next(self.steps)
                self.status.show(progress)
                self.building = self.building or progress.total > 0
                # While the worker thread plans there is nothing to do but look again next tick.
                if not progress.total or time.perf_counter() >= deadline:
                    break
        except StopIteration as finished:
            self.end()
            return cast(T, finished.value)
        except BaseException:
            self.end()
            raise
        return None

    def stop(self, scene: bpy.types.Scene) -> bool:
        """Stop building; the half-built level is removed. Returns whether the scene changed."""
        self.steps.close()
        if self.building:
            api.clear(scene)
        self.end()
        return self.building

    def end(self) -> None:
        self.window_manager.event_timer_remove(self.timer)
        self.status.end()


class _BuildsInSteps(bpy.types.Operator):
    """An operator that builds in steps (api.generate_steps, api.walk_steps). From a script or the
    redo panel it builds at once; from the UI a few steps per timer tick, so the viewport redraws
    as the level grows and Esc stops it. Bad input is reported, naming the field, and changes
    nothing. Not generic (Generic[T] as a base of a registered operator made Blender 4.2 crash at
    exit once the extension was uninstalled): the subclasses name what they build."""

    stopped = "Stopped"  # the warning when Esc stops the build

    def steps(self, context: bpy.types.Context, plan_in_background: bool) -> Steps[Any] | None:
        """The build's steps, its input checked (None, reported, when it is bad); nothing built yet."""
        raise NotImplementedError

    def report_built(self, built: Any) -> None:
        raise NotImplementedError

    def execute(self, context: bpy.types.Context) -> set[str]:
        status = BuildStatus(context)
        try:
            steps = self.steps(context, plan_in_background=False)
            if steps is None:
                return {"CANCELLED"}
            built = run_steps(steps, status.show)
        except BackroomsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        finally:
            status.end()
        self.report_built(built)
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        """From the UI: build a few steps per timer tick. Without a window (background mode) it
        builds at once."""
        if context.window is None:
            return self.execute(context)
        try:
            steps = self.steps(context, plan_in_background=True)
        except BackroomsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if steps is None:
            return {"CANCELLED"}
        self._build: TimedBuild[Any] = TimedBuild(context, steps)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if event.type == "ESC":
            removed = self._build.stop(context.scene)
            self.report({"WARNING"}, self.stopped)
            # Once the old level was replaced the step stays undoable: undo brings that level back.
            return {"FINISHED"} if removed else {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"} if event.type in NAVIGATION_EVENTS else {"RUNNING_MODAL"}
        try:
            built = self._build.tick()
        except (BackroomsError, ReferenceError) as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if built is None:
            for area in context.screen.areas if context.screen else ():
                area.tag_redraw()
            return {"RUNNING_MODAL"}
        self.report_built(built)
        return {"FINISHED"}


class BACKROOMS_OT_generate(_BuildsInSteps):
    """Generate a Backrooms level (replaces the level generated last)"""

    bl_idname = "backrooms.generate"
    bl_label = "Generate Backrooms Level"
    bl_options = {"REGISTER", "UNDO"}
    stopped = "Generation stopped"

    __annotations__ = {
        "preset": preset_property(),
        **spec_properties(operator=True),
        "new_level": BoolProperty(
            name="New Level", description="Keep the level generated last and add another", default=False
        ),
    }

    def steps(self, context: bpy.types.Context, plan_in_background: bool) -> Steps[GeneratedLevel] | None:
        spec = self._settle(context)
        if spec is None:
            return None
        return api.generate_steps(
            spec, scene=context.scene, new_level=self.new_level, plan_in_background=plan_in_background
        )

    def _settle(self, context: bpy.types.Context) -> LevelSpec | None:
        """The spec to build. Unset arguments come from the chosen level preset (for its look) or
        the scene settings; the settings take them all once the spec is known to be valid, so bad
        input changes nothing."""
        adopt_renamed_settings(context.scene)
        settings = context.scene.backrooms
        preset_given = self.properties.is_property_set("preset")
        if not preset_given:
            self.preset = settings.preset
        looks = spec_values(LEVEL_PRESETS[self.preset].spec())
        given = {name for name in SPEC_FIELDS if self.properties.is_property_set(name)}
        for setting in SETTINGS:
            if setting.panel_text and setting.name in given:
                given.add(f"{setting.name}_text")  # generate(seed=7): the settings' text form is not the seed
        for name in SPEC_FIELDS:
            if name not in given:
                from_preset = preset_given and name not in KEPT_BY_PRESETS
                setattr(self, name, looks[name] if from_preset else getattr(settings, name))
        try:
            spec = spec_from(self)
        except BackroomsError as error:
            self.report({"ERROR"}, str(error))
            return None
        before = settings.style
        settings.preset = self.preset
        write_spec(settings, spec)
        restyle_walk(context.scene.backrooms_walk, before, spec.style)
        return spec

    def report_built(self, built: GeneratedLevel) -> None:
        self.report({"INFO"}, f"{built.collection.name}: {built.plan.face_count()} faces")


class BACKROOMS_OT_walk(_BuildsInSteps):
    """Walk a camera through the endless level: the level made last, or one made from the settings
    when there is none. The chunks along the route are built and the camera keyed over the frames"""

    bl_idname = "backrooms.walk"
    bl_label = "Walk"
    bl_options = {"REGISTER", "UNDO"}
    stopped = "Walk stopped"

    # Unset arguments come from the scene's walk settings (the Camera sub-panel).
    __annotations__ = setting_properties(WALK_SETTINGS, operator=True)

    def steps(self, context: bpy.types.Context, plan_in_background: bool) -> Steps[WalkLevel] | None:
        """The walk's steps: the level made last is walked (its stored spec); in a scene without one,
        a level from the panel's settings. The scene's walk settings take the arguments once the
        walk is planned, so bad input changes nothing."""
        scene, settings = context.scene, context.scene.backrooms_walk
        for setting in WALK_SETTINGS:
            if not self.properties.is_property_set(setting.name):
                setattr(self, setting.name, getattr(settings, setting.name))
        # Every setting as shown: choosing a level gave them its style's values (ui/props.py
        # apply_level_preset), so a value equal to a default is asked for like any other.
        walk = walk_from(self)
        try:
            spec = None
            if api.last_level(scene) is None:  # what api.walk would walk: none, so the panel's level
                adopt_renamed_settings(scene)
                spec = spec_from(scene.backrooms)
            steps = api.walk_steps(spec, scene=scene, plan_in_background=plan_in_background, **walk)
        except BackroomsError as error:
            self.report({"ERROR"}, str(error))
            return None
        for name, value in walk.items():
            setattr(settings, name, value)
        return steps

    def report_built(self, built: WalkLevel) -> None:
        first, last = built.frames
        self.report({"INFO"}, f"{built.collection.name}: {len(built.chunks)} chunks, frames {first} to {last}")


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


class BACKROOMS_OT_level_preset(bpy.types.Operator):
    """Set every Backrooms setting but the seed, size and origin from a built-in level preset"""

    bl_idname = "backrooms.level_preset"
    bl_label = "Backrooms Level Preset"
    bl_options = {"REGISTER", "UNDO"}
    bl_property = "preset"

    __annotations__ = {"preset": preset_property()}

    def execute(self, context: bpy.types.Context) -> set[str]:
        apply_level_preset(context.scene.backrooms, self.preset, context.scene.backrooms_walk)
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
        settings.seed_text = ""  # the seed's text form, when set, would be the seed
        return {"FINISHED"}


def _render_preset_item(key: str, preset: RenderPreset) -> tuple[str, str, str]:
    size = f"{preset.resolution[0]} x {preset.resolution[1]}"
    return key, preset.label, f"{ENGINE_LABELS[preset.engine]}, {preset.samples} samples, {size}"


# Made here, not in the class body: Blender evaluates the class's annotations itself, and a
# comprehension there does not see this module's names.
RENDER_PRESET_ITEMS = [_render_preset_item(key, preset) for key, preset in RENDER_PRESETS.items()]


class BACKROOMS_OT_render_preset(bpy.types.Operator):
    """Set the scene up to render a Backrooms level: Cycles on the CPU (light tree, denoised) or EEVEE"""

    bl_idname = "backrooms.render_preset"
    bl_label = "Backrooms Render Preset"
    bl_options = {"REGISTER", "UNDO"}

    preset: EnumProperty(  # type: ignore[valid-type]
        name="Preset",
        items=RENDER_PRESET_ITEMS,
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
    BACKROOMS_OT_walk,
    BACKROOMS_OT_clear,
    BACKROOMS_OT_regenerate,
    BACKROOMS_OT_extend,
    BACKROOMS_OT_level_preset,
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
