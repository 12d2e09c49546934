"""The Python API: the one generate() that the operators, the CLI and scripts all call."""

from __future__ import annotations

import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

import bpy

from .core import walls_process
from .core.errors import BackroomsError, InvalidSpecError
from .core.geometry import MeshArrays
from .core.levels import LEVEL_PRESETS, preset_spec
from .core.plan import LevelPlan, plan_level, troffer_size
from .core.spec import LevelSpec
from .core.stream import WALK_DEFAULTS, check_walk_settings, plan_walk
from .core.troffer import troffer_kind
from .realize.level import (
    GeneratedLevel,
    PiecesAhead,
    Progress,
    Steps,
    drop_unused,
    file_resources_ahead,
    forget_plan,
    level_id_of,
    realize,
    run_steps,
)
from .realize.ownership import (
    GENERATOR_KEY,
    LAST_LEVEL_KEY,
    OFFSET_KEY,
    find_level,
    remove_level,
    remove_made_objects,
    scene_levels,
    stored_spec,
)
from .realize.troffers import load_troffer
from .realize.walk import WalkLevel, realize_walk
from .realize.world import restore_world

# How long one "planning" step waits for the worker thread (seconds): long enough that a caller's
# loop is not a busy spin, short enough that a modal operator's tick stays responsive.
PLANNING_WAIT_S = 0.02

__all__ = [
    "LEVEL_PRESETS",
    "GeneratedLevel",
    "LevelSpec",
    "Progress",
    "clear",
    "extend",
    "generate",
    "generate_steps",
    "last_level",
    "levels",
    "regenerate",
    "walk",
    "walk_steps",
]


def generate(
    spec: LevelSpec | None = None,
    *,
    preset: str | None = None,
    scene: bpy.types.Scene | None = None,
    new_level: bool = False,
    keep_meshes: bool | None = None,
    **fields: Any,
) -> GeneratedLevel:
    """Build a level in `scene` (default: the context scene) and return what was made.

    spec: a LevelSpec; or preset: a built-in level preset's name (see LEVEL_PRESETS), e.g.
    "LEVEL_0_MAZE"; keyword arguments (seed=7, width=32, ...) override either's fields.
    new_level: keep the level made last and add another; by default it is replaced.
    keep_meshes: whether the returned plan keeps the meshes Blender received, for an export that
    follows (True) or to save memory (False); by default a level of up to KEEP_BUILT_FACES built
    faces keeps them, and a bigger one plans them again if they are read.
    Raises InvalidSpecError, before the scene is touched, when a field is out of range.
    """
    steps = generate_steps(spec, preset=preset, scene=scene, new_level=new_level, keep_meshes=keep_meshes, **fields)
    return run_steps(steps)


def generate_steps(
    spec: LevelSpec | None = None,
    *,
    preset: str | None = None,
    scene: bpy.types.Scene | None = None,
    new_level: bool = False,
    plan_in_background: bool = False,
    keep_meshes: bool | None = None,
    **fields: Any,
) -> Steps[GeneratedLevel]:
    """generate() one step at a time: a generator of Progress that returns the GeneratedLevel.

    For user interfaces that must stay responsive: run a few steps between redraws. With
    plan_in_background the layout is planned in a worker thread (pure numpy, no Blender data)
    while the steps report "planning", each after waiting up to PLANNING_WAIT_S for it. The spec
    is checked when this is called, before any step.
    """
    spec = _spec_from(spec, preset, fields)
    scene = scene or bpy.context.scene
    return _build(spec, scene, new_level, keep_frame=False, plan_in_background=plan_in_background, keep=keep_meshes)


def _spec_from(spec: LevelSpec | None, preset: str | None, fields: dict[str, Any]) -> LevelSpec:
    if spec is not None and preset is not None:
        raise InvalidSpecError("preset", "give a spec or a preset, not both")
    if preset is not None:
        return preset_spec(preset, **fields)
    return (spec or LevelSpec()).replace(**fields)


def _build(
    spec: LevelSpec,
    scene: bpy.types.Scene,
    new_level: bool,
    keep_frame: bool,
    plan_in_background: bool = False,
    keep: bool | None = None,
) -> Steps[GeneratedLevel]:
    """Plan, then replace the level made last (or add one) with it.

    keep_frame: keep the offset an extended level's frame has (regenerate, extend); a new
    generate starts from the level's own origin again. keep: generate's keep_meshes.
    """
    made_ahead: list[bpy.types.ID] = []
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backrooms-plan") as worker:
            # The plan reads the troffer model only at its end: loaded (from its .blend, in this
            # thread) while the planning starts.
            troffer: Future[MeshArrays] = Future()
            # The walls come finished from their own process when it is running (a second core).
            planning = worker.submit(plan_level, spec, troffer.result, walls_process.shared().blocks)
            try:
                troffer.set_result(load_troffer(troffer_kind(troffer_size(spec))))
            except BaseException as error:
                troffer.set_exception(error)
                raise
            # In the background, the first step only starts planning (a UI shows that at once);
            # each step then waits a little for the plan, so a caller looping does not spin.
            if plan_in_background:
                yield Progress(0, 0, "planning the layout")
            # Made once per file, while the plan is made; what the plan does not use goes after.
            made_ahead = file_resources_ahead(spec)
            while plan_in_background and not wait([planning], timeout=PLANNING_WAIT_S).done:
                yield Progress(0, 0, "planning the layout")
            plan = planning.result()
        return (yield from _replace_level(plan, scene, new_level, keep_frame, keep))
    finally:
        drop_unused(made_ahead)


def _replace_level(
    plan: LevelPlan, scene: bpy.types.Scene, new_level: bool, keep_frame: bool, keep: bool | None
) -> Steps[GeneratedLevel]:
    """Build the plan in place of the level made last (or beside it, `new_level`)."""
    # The meshes are finished in a worker while the previous level goes and the first kinds arrive.
    ahead = PiecesAhead(plan, keep)
    try:
        previous = None if new_level else _last_level(scene)
        if previous is None:
            level_id, collection = uuid.uuid4().hex[:12], None
        else:
            level_id, collection = level_id_of(previous), previous
            remove_made_objects(previous)
            if not keep_frame and OFFSET_KEY in previous:
                del previous[OFFSET_KEY]
        # Claimed before the pieces are built, so a build stopped half way can still be cleared.
        scene[LAST_LEVEL_KEY] = level_id
        return (yield from realize(plan, scene, level_id, collection, ahead))
    finally:
        ahead.close()


def walk(
    spec: LevelSpec | None = None,
    *,
    preset: str | None = None,
    scene: bpy.types.Scene | None = None,
    **fields: Any,
) -> WalkLevel:
    """A camera that walks the endless level: the route planned from the spawn, the chunks within
    the view radius of it built (each shown only while the camera is near), the animated camera
    made the scene's camera over the walk's frames. Replaces the level made last.

    Walk settings: length (metres), speed (m/s), fps, shake (0 to 1), view_radius (metres),
    descend; one not given is the level style's own (a run's pace), else the default. Any other
    keyword is a level field (seed=7, ...) overriding `spec` or `preset`; with
    neither, the level made last is walked (its spec), or a default level.
    Raises InvalidSpecError, before the scene is touched, naming a field out of range.
    """
    return run_steps(walk_steps(spec, preset=preset, scene=scene, **fields))


def walk_steps(
    spec: LevelSpec | None = None,
    *,
    preset: str | None = None,
    scene: bpy.types.Scene | None = None,
    plan_in_background: bool = False,
    **fields: Any,
) -> Steps[WalkLevel]:
    """walk() one step at a time (a chunk a step); the settings are checked when this is called.
    With plan_in_background the route is planned in a worker thread while the steps report
    "planning the walk" (as generate_steps does)."""
    scene = scene or bpy.context.scene
    given = {k: fields.pop(k) for k in list(fields) if k in WALK_DEFAULTS}
    check_walk_settings(given)  # a bad walk setting is named before the level's fields
    previous = last_level(scene)
    if spec is None and preset is None and previous is not None:
        spec = stored_spec(previous)
    level_spec = _spec_from(spec, preset, fields)
    # What was not given comes from the level's style (a run's pace), else from the walk's defaults.
    settings = check_walk_settings(given, level_spec.style)
    if not plan_in_background:
        return _walk_build(plan_walk(level_spec, **settings), scene, previous)
    return _walk_planned_aside(level_spec, settings, scene, previous)


def _walk_planned_aside(
    spec: LevelSpec, settings: dict[str, Any], scene: bpy.types.Scene, previous: bpy.types.Collection | None
) -> Steps[WalkLevel]:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backrooms-walk") as worker:
        planning = worker.submit(plan_walk, spec, **settings)
        while not wait([planning], timeout=PLANNING_WAIT_S).done:
            yield Progress(0, 0, "planning the walk")
        planned = planning.result()
    return (yield from _walk_build(planned, scene, previous))


def _walk_build(planned: Any, scene: bpy.types.Scene, previous: bpy.types.Collection | None) -> Steps[WalkLevel]:
    if previous is None:
        level_id, collection = uuid.uuid4().hex[:12], None
    else:
        level_id, collection = level_id_of(previous), previous
        forget_plan(level_id)
        remove_made_objects(previous)
        if OFFSET_KEY in previous:
            del previous[OFFSET_KEY]
    scene[LAST_LEVEL_KEY] = level_id
    return (yield from realize_walk(planned, scene, level_id, collection))


def regenerate(scene: bpy.types.Scene | None = None) -> tuple[GeneratedLevel, int]:
    """Rebuild the level made last from the spec stored on its collection (saved with the file).

    Returns the level and the generator version that made the stored one: when it differs from
    GENERATOR_VERSION, the rebuilt level is not the same as the old one.
    """
    scene = scene or bpy.context.scene
    collection = _last_level(scene)
    if collection is None:
        raise BackroomsError("there is no Backrooms level in this scene to regenerate")
    spec = stored_spec(collection)
    made_by = int(collection.get(GENERATOR_KEY, 0))
    return run_steps(_build(spec, scene, new_level=False, keep_frame=True)), made_by


SIDES = ("EAST", "WEST", "NORTH", "SOUTH")


def extend(side: str, chunks: int = 1, scene: bpy.types.Scene | None = None) -> GeneratedLevel:
    """Grow the level made last by `chunks` chunks on one side (EAST, WEST, NORTH or SOUTH).

    The world is seamless, so the grown level is exactly the larger region; what was there stays
    where it was (growing west or south moves the level's frame, not its old cells).
    """
    if side not in SIDES:
        raise InvalidSpecError("side", f"must be one of {', '.join(SIDES)}, got {side!r}")
    scene = scene or bpy.context.scene
    collection = _last_level(scene)
    if collection is None:
        raise BackroomsError("there is no Backrooms level in this scene to extend")
    spec = stored_spec(collection)
    cells = chunks * spec.chunk_size
    ox, oy = spec.origin
    grown: dict[str, dict[str, Any]] = {
        "EAST": {"width": spec.width + cells},
        "NORTH": {"depth": spec.depth + cells},
        "WEST": {"width": spec.width + cells, "origin": [ox - cells, oy]},
        "SOUTH": {"depth": spec.depth + cells, "origin": [ox, oy - cells]},
    }
    new_spec = spec.replace(**grown[side])  # validated (size and memory) before anything changes
    shift = {"WEST": (-cells * spec.cell_size, 0.0), "SOUTH": (0.0, -cells * spec.cell_size)}.get(side, (0.0, 0.0))
    x, y = collection.get(OFFSET_KEY, (0.0, 0.0))
    collection[OFFSET_KEY] = (x + shift[0], y + shift[1])
    return run_steps(_build(new_spec, scene, new_level=False, keep_frame=True))


def clear(scene: bpy.types.Scene | None = None, *, all_levels: bool = False) -> int:
    """Remove the level made last in `scene` (or every level); returns how many objects went.

    Only what the add-on made is removed: the user's own objects stay, even inside a level's
    collection, and that collection then stays too.
    """
    scene = scene or bpy.context.scene
    targets = levels(scene) if all_levels else [c for c in [_last_level(scene)] if c is not None]
    for collection in targets:
        forget_plan(level_id_of(collection))
    removed = sum(remove_level(collection) for collection in targets)
    if LAST_LEVEL_KEY in scene:
        del scene[LAST_LEVEL_KEY]
    if not scene_levels(scene):
        restore_world(scene)
    return removed


def levels(scene: bpy.types.Scene | None = None) -> list[bpy.types.Collection]:
    """The level collections linked into `scene` (default: the context scene)."""
    return scene_levels(scene or bpy.context.scene)


def last_level(scene: bpy.types.Scene | None = None) -> bpy.types.Collection | None:
    """The collection of the level made last in `scene` (what regenerate, extend, clear and walk
    act on), or None."""
    return _last_level(scene or bpy.context.scene)


def _last_level(scene: bpy.types.Scene) -> bpy.types.Collection | None:
    level_id = scene.get(LAST_LEVEL_KEY)
    collection = find_level(level_id) if isinstance(level_id, str) else None
    if collection is None or collection not in set(scene.collection.children_recursive):
        return None
    return collection
