"""Level realisation: a LevelPlan becomes a tagged collection of objects, lamps and a camera."""

from __future__ import annotations

import math
import queue
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import bpy
import numpy as np

from ..core.cost import estimate_cost
from ..core.errors import InvalidSpecError
from ..core.fixtures import FLICKER, SODIUM, STEADY, flicker_curve
from ..core.geometry import MeshArrays
from ..core.hum import write_hum
from ..core.plan import LevelPlan, likely_materials, troffer_size
from ..core.recipes import Look, load_recipes
from ..core.spec import LevelSpec
from ..core.styles import SODIUM_RGB, style_of
from ..core.troffer import HANG
from .camera_rig import carried, fcurves, write_keys
from .eevee import light_for_eevee, set_up_eevee
from .file_cache import made_once
from .materials import RECIPE_KEY, animate, ensure_material, existing_material
from .mesh import MeshTemplates, mesh_from_arrays
from .ownership import LEVEL_KEY, MADE_KEY, OFFSET_KEY, PIECE_KEY, find_level, record_made, store_spec, stored_spec, tag
from .troffers import Instancers, variant_label
from .world import light_scene

LAMP_POWER_W = 40.0
PULSE_LOW = 0.15  # a pulsing lamp at its dimmest, as a share of its full power
HUM_SPEAKERS = 4
CAMERA_LENS_MM = 20.0


T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """Where a build is: `done` of `total` steps (total 0 while it is not known yet)."""

    done: int
    total: int
    text: str


# A build that reports after every step and returns what it built: a UI runs its steps a few at a
# time between redraws, a script runs them all at once with run_steps.
Steps = Generator[Progress, None, T]


def run_steps(steps: Steps[T], on_progress: Callable[[Progress], None] | None = None) -> T:
    """Run a build's steps to the end, reporting each; returns what the build returns."""
    while True:
        try:
            progress = next(steps)
        except StopIteration as finished:
            return finished.value
        if on_progress is not None:
            on_progress(progress)


@dataclass
class GeneratedLevel:
    """What generate() made: the level's id, its collection, its objects and the plan behind them."""

    level_id: str
    collection: bpy.types.Collection
    plan: LevelPlan
    objects: list[bpy.types.Object] = field(default_factory=list)
    camera: bpy.types.Object | None = None


def piece_name(kind: str, piece: int, columns: int) -> str:
    """Object name of one piece of one kind: 'Backrooms walls 2,0' is the third piece along x."""
    row, column = divmod(piece, columns)
    return f"Backrooms {kind} {column},{row}"


def level_name(spec: LevelSpec, what: str = "") -> str:
    """The collection's name: 'Backrooms Level 37 (seed 4)' (the style's label up to its comma),
    or with `what` after it ('Backrooms Level 0 walk (seed 7)')."""
    kind = style_of(spec.style).label.split(",")[0]
    return f"Backrooms {kind}{f' {what}' if what else ''} (seed {spec.seed})"


def realize(
    plan: LevelPlan,
    scene: bpy.types.Scene,
    level_id: str,
    collection: bpy.types.Collection | None = None,
    ahead: PiecesAhead | None = None,
) -> Steps[GeneratedLevel]:
    """Create the plan's objects in `collection` (a new one, linked to `scene`, when None), one
    piece of one kind per step. `ahead`: the plan's pieces, already being prepared (split_ahead)."""
    collection = open_level(plan.spec, level_name(plan.spec), scene, level_id, collection)
    level = GeneratedLevel(level_id, collection, plan)
    total = piece_count(plan) + 1
    # Before the pieces: the speaker operator updates the view layer, cheap while it is small.
    speaker = _hum_speaker(plan, scene)
    try:
        for done, (obj, text) in enumerate(add_pieces(plan, collection, level_id, ahead=ahead), 1):
            level.objects.append(obj)
            yield Progress(done, total, text)
        hum = [] if speaker is None else _add_hum(plan, speaker, collection, level_id)
        speaker = None
        lamps = add_lamps(plan, collection, level_id, scene.render.fps) + hum
        pulse_fixtures(plan.spec, scene.render.fps)
        level.camera = _add_camera(plan, collection, level_id)
        level.objects.extend([*lamps, level.camera, *carried(plan.spec, level.camera, level_id, scene.render.fps)])
    finally:
        if speaker is not None:  # stopped before the speakers were placed
            bpy.data.batch_remove([speaker, speaker.data])
        # Once, also when the build is stopped half way (closing the steps lands here), so that
        # Clear finds what was made; writing the list per piece would cost the square of the pieces.
        record_made(collection, level.objects)
    # A level extended west or south keeps its old part where it was: its frame moved instead.
    offset = collection.get(OFFSET_KEY)
    if offset is not None:
        for obj in (obj for obj in level.objects if obj.parent is None):  # a child moves with its parent
            obj.location.x += offset[0]
            obj.location.y += offset[1]
    if scene.camera is None:
        scene.camera = level.camera
    sync_view_layers(scene)
    _keep_plan(level_id, plan)
    yield Progress(total, total, "lamps and camera")
    return level


def sync_view_layers(scene: bpy.types.Scene) -> None:
    """Bring the scene's view layers up to date with the objects just linked, without evaluating
    anything: until then a script's select_set on a new object is lost. Reading the active object
    syncs a view layer's bases; view_layer.update() would evaluate the whole level."""
    for view_layer in scene.view_layers:
        view_layer.objects.active  # noqa: B018  (read for its effect)


def open_level(
    spec: LevelSpec, name: str, scene: bpy.types.Scene, level_id: str, collection: bpy.types.Collection | None
) -> bpy.types.Collection:
    """The level's collection (a new one, linked to `scene`, when None), tagged, its spec stored and
    the scene lit for its style, before anything is built in it."""
    if collection is None:
        collection = bpy.data.collections.new(name)
        scene.collection.children.link(collection)
    else:
        collection.name = name
    tag(collection, level_id)
    collection[MADE_KEY] = []
    store_spec(collection, spec)
    light_scene(scene, style_of(spec.style))  # a plain render looks right at once
    set_up_eevee(scene)  # for when EEVEE renders: the engine stays the one the scene had
    return collection


def piece_count(plan: LevelPlan) -> int:
    """How many objects the plan's meshes make (one per piece and kind, and one per instanced variant)."""
    founds = [plan.meshes.copies_of(kind).instanced() for kind in plan.meshes.instanced]
    instanced = sum(len(np.unique(found.pieces)) + len(found.kinds) for found in founds)
    return instanced + sum(_pieces_of(plan, kind) for kind in plan.meshes.kinds_built())


def _pieces_of(plan: LevelPlan, kind: str) -> int:
    """How many pieces of a kind Blender gets; while a kind still arrives (walls made a row of
    pieces at a time), at most one per piece: a progress bar need not wait for them."""
    return plan.meshes.piece_count(kind) if plan.meshes.size_known(kind) else plan.pieces.count


class PiecesAhead:
    """A plan's meshes finished and split into pieces in a worker thread, a block of pieces at a
    time in the plan's order (PlanMeshes.finished), while Blender receives the blocks before:
    numpy releases the GIL."""

    def __init__(self, plan: LevelPlan, keep: bool | None = None) -> None:
        """keep: whether the plan keeps its finished blocks; by default a big level's go once
        Blender has them (KEEP_BUILT_FACES), and its plan plans them anew if they are read."""
        # A few blocks ahead of Blender, no more: a big level's blocks are held only until uploaded.
        self._ready: queue.Queue[tuple[str | None, Any]] = queue.Queue(maxsize=BLOCKS_AHEAD)
        self._stop = threading.Event()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backrooms-pieces")
        kinds = plan.meshes.kinds_built()
        if keep is None:  # estimated: the walls may still be on their way
            keep = estimate_cost(plan.spec).built_faces <= KEEP_BUILT_FACES
        self._worker.submit(self._prepare, plan, kinds, keep)

    def _prepare(self, plan: LevelPlan, kinds: list[str], keep: bool) -> None:
        try:
            for kind in kinds:
                for block in plan.meshes.finished(kind, keep=keep):
                    if not self._offer((kind, block.split())):
                        return
                if not self._offer((kind, None)):
                    return
        except BaseException as error:  # given to the reader, in its thread
            self._offer((None, error))

    def _offer(self, item: tuple[str | None, Any]) -> bool:
        """Queue `item` once the reader has room for it; False if the build was stopped meanwhile."""
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def pieces(self, kind: str) -> Iterator[tuple[int, MeshArrays]]:
        """The kind's pieces as they are ready; kinds must be read in the plan's order."""
        while True:
            found, pieces = self._ready.get()
            if found is None:
                raise pieces
            assert found == kind, f"pieces of {found} while reading {kind}"
            if pieces is None:
                return
            yield from pieces

    def close(self) -> None:
        """Stop preparing (a build stopped half way): the worker ends after its current block."""
        self._stop.set()
        self._worker.shutdown(wait=False)


def add_pieces(
    plan: LevelPlan,
    collection: bpy.types.Collection,
    level_id: str,
    where: str = "",
    troffers: Instancers | None = None,
    ahead: PiecesAhead | None = None,
    templates: MeshTemplates | None = None,
) -> Generator[tuple[bpy.types.Object, str], None, None]:
    """The plan's meshes as objects in `collection`, one per piece and kind, each yielded with what
    it is; `where` names the part of a larger whole they belong to (a walk's chunk). The troffers
    and the furniture are instances (`troffers`: the level's variants, shared by the parts of a
    larger whole): each piece's object holds a point per instance, which its node group instances. `ahead`: the pieces
    already being prepared; by default they are prepared here, a kind ahead of the upload.
    `templates`: what the meshes are copied from (shared by the parts of a larger whole, which
    removes them); by default made here and removed once the pieces are made or the build stops."""
    ahead = ahead or PiecesAhead(plan)
    own_templates = templates is None
    templates = templates or MeshTemplates()
    try:
        yield from _add_pieces(plan, collection, level_id, where, troffers, ahead, templates)
    finally:
        if own_templates:
            templates.remove()
        ahead.close()


def _add_pieces(
    plan: LevelPlan,
    collection: bpy.types.Collection,
    level_id: str,
    where: str,
    troffers: Instancers | None,
    ahead: PiecesAhead,
    templates: MeshTemplates,
) -> Generator[tuple[bpy.types.Object, str], None, None]:
    look = look_of(plan.spec)
    # Every material first (the instanced models' too), while the worker finishes the first blocks.
    for name in plan_materials(plan):
        ensure_material(name, look)
    # The instanced kinds first: they need no finishing, so Blender makes them while the worker
    # finishes the first block of the kinds built as geometry.
    instanced = [kind for kind in plan.meshes if kind in plan.meshes.instanced]
    for kind in [*instanced, *plan.meshes.kinds_built()]:
        if kind in plan.meshes.instanced:
            troffers = troffers or Instancers(collection, level_id, look)
            found = plan.meshes.copies_of(kind).instanced()
            names = {piece: piece_name(kind, piece, plan.pieces.columns) + where for piece in np.unique(found.pieces)}
            number = 0
            for piece, obj in troffers.add_pieces(found, names, kind, templates):
                if piece is None:  # a variant, in its kind's collection, which no scene holds: only instanced
                    yield obj, f"{kind}, {variant_label(obj.name)}"
                    continue
                number += 1
                obj[PIECE_KEY] = divmod(piece, plan.pieces.columns)[::-1]
                yield obj, f"{kind}, piece {number} of {len(names)}"
            continue
        materials = [ensure_material(name, look) for name in plan.meshes.materials(kind)]
        count = _pieces_of(plan, kind)
        for number, (piece, part) in enumerate(ahead.pieces(kind), 1):
            name = piece_name(kind, piece, plan.pieces.columns) + where
            mesh = mesh_from_arrays(f"{collection.name} {name}", part, materials, templates=templates)
            obj = _add_object(name, mesh, collection, level_id)
            obj[PIECE_KEY] = divmod(piece, plan.pieces.columns)[::-1]
            yield obj, f"{kind}, piece {number} of {count}"


def look_of(spec: LevelSpec) -> Look:
    """The level's material settings."""
    return Look(spec.wallpaper_tint, spec.wear, spec.dampness)


def plan_materials(plan: LevelPlan) -> list[str]:
    """The materials the plan's meshes use, the instanced models' too, each once."""
    variants = [variant for kind in plan.meshes.instanced for variant in plan.meshes.copies_of(kind).instanced().kinds]
    built = (name for kind in plan.meshes.kinds_built() for name in plan.meshes.materials(kind))
    return list(dict.fromkeys([*built, *(name for variant in variants for name in variant.mesh.materials)]))


def file_resources_ahead(spec: LevelSpec) -> list[bpy.types.ID]:
    """What a level of `spec` needs once per file, made while its plan is made: the hum, and the
    materials it most likely uses (core likely_materials). In a file that has none of them yet,
    they come from the cache on disk in one append (file_cache), or are made and cached. Returns
    the materials, images and node groups this made, for drop_unused once the level is built;
    stopped by an error, it removes them itself."""
    before = set(_resources())
    try:
        look = look_of(spec)
        names = likely_materials(spec)
        hum = spec.hum and find_hum() is None
        if not any(existing_material(name, look) for name in names):
            made_once(names, look, hum, lambda: _make_resources(names, look, hum))
        _make_resources(names, look, spec.hum)  # what the cache did not bring; the rest is found
    except BaseException:
        drop_unused(_new_since(before))
        raise
    return _new_since(before)


def _new_since(before: set[bpy.types.ID]) -> list[bpy.types.ID]:
    return [block for block in _resources() if block not in before]


def _resources() -> tuple[bpy.types.ID, ...]:
    """What materials are made of, and the materials: made once per file, shared by its levels."""
    return (*bpy.data.materials, *bpy.data.images, *bpy.data.node_groups)


def _make_resources(names: tuple[str, ...], look: Look, hum: bool) -> set[bpy.types.ID]:
    """The materials `names` in `look` and, with `hum`, the hum: found or made."""
    made: set[bpy.types.ID] = {ensure_material(name, look) for name in names}
    return made | {ensure_hum()} if hum else made


def drop_unused(made: list[bpy.types.ID]) -> None:
    """Remove what file_resources_ahead made that nothing uses (a guess the plan did not need, or
    a build stopped before its pieces): the materials first, then the flicker keys, images and
    node groups only they used."""
    materials = [block for block in made if isinstance(block, bpy.types.Material) and block.users == 0]
    animations = (material.node_tree.animation_data for material in materials if material.node_tree)
    actions = {data.action for data in animations if data is not None and data.action is not None}
    if materials:
        bpy.data.batch_remove(materials)
    # Images and groups made here that no material holds: by what the materials hold, as Blender
    # 4.2 keeps counting the users a removed material's copies gave them.
    held = {_held(node) for m in bpy.data.materials if m.node_tree for node in m.node_tree.nodes} - {None}
    parts = [block for block in made if isinstance(block, (bpy.types.Image, bpy.types.NodeTree)) and block not in held]
    unused = [*(action for action in actions if action.users == 0), *parts]
    if unused:
        bpy.data.batch_remove(unused)


def _held(node: bpy.types.Node) -> bpy.types.ID | None:
    """The image or node group a material's node holds, if any."""
    return getattr(node, "image", None) or getattr(node, "node_tree", None)


BLOCKS_AHEAD = 2  # finished blocks waiting for Blender at most

# A level's plan keeps the meshes it gave Blender up to this many faces (about 130 bytes each), so
# that exporting it needs no planning; a bigger level's go as Blender receives them, which halves
# its peak memory, and an export plans them again.
KEEP_BUILT_FACES = 1_000_000

# The plans of the levels built in this session, by level id, so that the exports use the plan
# that built a level instead of planning it again. Plans hold every mesh (about 130 bytes a face),
# so only the latest ones are kept, up to a budget of faces; the last one always.
_PLANS: OrderedDict[str, LevelPlan] = OrderedDict()
KEPT_FACES = 4_000_000


def _keep_plan(level_id: str, plan: LevelPlan) -> None:
    _PLANS[level_id] = plan
    _PLANS.move_to_end(level_id)
    while len(_PLANS) > 1 and sum(kept.face_count() for kept in _PLANS.values()) > KEPT_FACES:
        _PLANS.popitem(last=False)


def forget_plan(level_id: str) -> None:
    """Let the plan of a removed level go."""
    _PLANS.pop(level_id, None)


def built_plan(level_id: str, spec: LevelSpec) -> LevelPlan | None:
    """The plan that built level `level_id` in this session, when it still is the level's plan
    (the same spec: a level undone, cleared or reopened from a file may be another); else None."""
    plan = _PLANS.get(level_id)
    return plan if plan is not None and plan.spec == spec else None


def _add_object(
    name: str, data: bpy.types.ID | None, collection: bpy.types.Collection, level_id: str
) -> bpy.types.Object:
    obj = bpy.data.objects.new(name, data)
    tag(obj, level_id)
    if data is not None:
        tag(data, level_id)
    collection.objects.link(obj)
    return obj


def add_lamps(
    plan: LevelPlan, collection: bpy.types.Collection, level_id: str, fps: int = 24
) -> list[bpy.types.Object]:
    """Real area lights under the lit troffers nearest the spawn point: steady ones share one light
    datablock, flickering ones share one per flicker pattern, its power keyframed like the tube."""
    lights: dict[int, bpy.types.Light] = {}
    lamps = []
    for index, (position, state) in enumerate(zip(plan.lamps, plan.lamp_states.tolist(), strict=True)):
        if state not in lights:
            lights[state] = new_light(plan, state, level_id, fps)
        lamp = _add_object(f"Backrooms lamp {index:03d}", lights[state], collection, level_id)
        # Just under the troffer, so nothing of the fixture shades its own lamp.
        lamp.location = (position[0], position[1], position[2] - HANG - 0.01)
        lamps.append(lamp)
    return lamps


def new_light(plan: LevelPlan, state: int, level_id: str, fps: int = 24) -> bpy.types.Light:
    """A lamp's light datablock for fixtures in `state`: its power keyed where the tube flickers
    or the style's lamps pulse (at `fps` frames a second)."""
    style = style_of(plan.spec.style)
    names = {STEADY: "Backrooms troffer", SODIUM: "Backrooms sodium tube"}
    light = bpy.data.lights.new(names.get(state, f"Backrooms troffer flicker {state - FLICKER}"), type="AREA")
    light.shape = "RECTANGLE"
    light.size, light.size_y = troffer_size(plan.spec)
    light.energy = style.lamp_power_w
    light.color = SODIUM_RGB if state == SODIUM else style.lamp_rgb
    light_for_eevee(light, style)
    tag(light, level_id)
    if FLICKER <= state < SODIUM:
        animate(light, "energy", style.lamp_power_w * flicker_curve(0, state - FLICKER), cyclic=True)
    elif style.lamp_pulse_s > 0:
        pulse(light, "energy", style.lamp_power_w, style.lamp_pulse_s * fps)
    return light


def pulse(owner: Any, path: str, full: float, period_frames: float) -> None:
    """Key `owner`'s `path` to fade from `full` to PULSE_LOW of it and back once every
    `period_frames` from frame 1 (at full, so a still of the first frame is lit), for ever: three
    keys whose eased (Bezier) handles make it smooth, repeated by an F-curve Cycles modifier."""
    setattr(owner, path, full)
    full_path = path if isinstance(owner, bpy.types.ID) else owner.path_from_id(path)
    (curve,) = fcurves(owner.id_data, full_path, 1)
    frames = 1.0 + np.array([0.0, 0.5, 1.0]) * period_frames
    write_keys(curve, frames, full * np.array([1.0, PULSE_LOW, 1.0]), "BEZIER")
    curve.modifiers.new("CYCLES")


def pulse_fixtures(spec: LevelSpec, fps: int) -> None:
    """In a style whose lamps pulse, the glow of its lit fixtures' material pulses with them (the
    material is the style's own: no other level's fixtures change)."""
    style = style_of(spec.style)
    if style.lamp_pulse_s <= 0:
        return
    name = style.material("fixture_diffuser")
    glow = load_recipes()[name].emission_strength  # the recipe's: the keyed value changes by frame
    for material in bpy.data.materials:
        if material.get(RECIPE_KEY) == name and material.node_tree is not None:
            strength = material.node_tree.nodes["strength"].inputs[1]
            pulse(strength, "default_value", glow, style.lamp_pulse_s * fps)


def steady_power(light: bpy.types.Light) -> float:
    """The power a level's lamp shines at when it does not flicker: its style's lamp power (a
    flickering lamp's own power is keyframed and changes from frame to frame)."""
    if light.animation_data is None:
        return float(light.energy)
    level_id = light.get(LEVEL_KEY)
    collection = find_level(level_id) if isinstance(level_id, str) else None
    try:
        spec = stored_spec(collection) if collection is not None else None
    except InvalidSpecError:  # a level from a newer generator
        spec = None
    return style_of(spec.style).lamp_power_w if spec is not None else LAMP_POWER_W


def _hum_speaker(plan: LevelPlan, scene: bpy.types.Scene) -> bpy.types.Object | None:
    """A speaker playing the hum, in no collection, when the level has a hum to play."""
    if not plan.spec.hum or scene != bpy.context.scene or len(plan.lamps) == 0:
        return None
    if not bpy.ops.object.speaker_add.poll():  # e.g. while the user is in edit mode: no hum this time
        return None
    return speaker_playing(ensure_hum(), volume=0.5)


def _add_hum(
    plan: LevelPlan, first: bpy.types.Object, collection: bpy.types.Collection, level_id: str
) -> list[bpy.types.Object]:
    """Speakers playing the fluorescent hum (`first` and its copies) at the lit troffers nearest
    the spawn point."""
    speakers = []
    for index, position in enumerate(plan.lamps[:HUM_SPEAKERS]):
        speaker = first if index == 0 else first.copy()
        speaker.name = f"Backrooms hum {index:02d}"
        tag(speaker, level_id)
        collection.objects.link(speaker)
        speaker.location = (position[0], position[1], position[2] - 0.05)
        speakers.append(speaker)
    tag(first.data, level_id)
    return speakers


def speaker_playing(sound: bpy.types.Sound, volume: float) -> bpy.types.Object:
    """A speaker playing `sound`, in no collection. The operator is the one way to get a speaker
    with its sound strip; it leaves the new speaker active and selected, so the user's selection
    and active object are put back."""
    view_layer = bpy.context.view_layer
    active, selected = view_layer.objects.active, [o for o in view_layer.objects if o.select_get()]
    bpy.ops.object.speaker_add()
    speaker = view_layer.objects.active
    for obj in view_layer.objects:  # while the speaker is still in the view layer: unselected
        obj.select_set(obj in selected)
    view_layer.objects.active = active
    for users_collection in list(speaker.users_collection):
        users_collection.objects.unlink(speaker)
    speaker.data.sound = sound
    speaker.data.volume = volume
    speaker.data.distance_reference = 2.0
    speaker.data.attenuation = 1.5
    return speaker


def find_hum() -> bpy.types.Sound | None:
    """The file's hum, if it has one."""
    return next((sound for sound in bpy.data.sounds if sound.get(RECIPE_KEY) == "hum"), None)


def ensure_hum() -> bpy.types.Sound:
    """The hum, synthesised once per file and packed into it."""
    found = find_hum()
    if found is not None:
        return found
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backrooms_hum.wav"
        write_hum(path)
        sound = bpy.data.sounds.load(str(path))
        sound.pack()
    sound.name = "Backrooms hum"
    sound[RECIPE_KEY] = "hum"
    return sound


def _add_camera(plan: LevelPlan, collection: bpy.types.Collection, level_id: str) -> bpy.types.Object:
    """A camera at the spawn point, at eye height, looking down the longest sightline."""
    data = bpy.data.cameras.new("Backrooms camera")
    data.lens = CAMERA_LENS_MM
    data.clip_start = 0.05
    data.clip_end = max(100.0, 1.5 * max(plan.size_m))
    camera = _add_object("Backrooms camera", data, collection, level_id)
    camera.location = plan.spawn.position
    # A camera looks down its local -Z; pitch it level, then turn it to the heading (0 = +x).
    camera.rotation_euler = (math.pi / 2, 0.0, plan.spawn.yaw - math.pi / 2)
    return camera


def level_id_of(collection: bpy.types.Collection) -> str:
    return str(collection[LEVEL_KEY])
