"""Ownership: what the add-on made, so that regenerate and clear touch nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import bpy

from ..core.spec import LevelSpec
from ..core.version import GENERATOR_VERSION

LEVEL_KEY = "backrooms_level"
GENERATOR_KEY = "backrooms_generator"
SPEC_KEY = "backrooms_spec"
LAST_LEVEL_KEY = "backrooms_last_level"
OFFSET_KEY = "backrooms_offset"  # metres (x, y) the level's frame is moved by, after extending it
PIECE_KEY = "backrooms_piece"  # (column, row) of the streaming piece an object holds
# On a level collection: the objects made for it. A copy of one (Shift D, Object.copy) carries
# its tags but is not in this list, so it stays the user's. ID references survive renames and
# saving, and a copy never joins the list, as a random token stored on each object would.
MADE_KEY = "backrooms_made"
# On a level collection: the names of the sequencer strips made for it (strips are no IDs, so no
# references: a strip the user copies gets another name and stays the user's).
STRIPS_KEY = "backrooms_strips"
# On the collection of a level's instanced variants (no level: not tagged as one): the level's id.
VARIANTS_KEY = "backrooms_variants_of"


def tag(id_block: bpy.types.ID, level_id: str) -> None:
    """Mark a datablock as made by the level `level_id`."""
    id_block[LEVEL_KEY] = level_id
    id_block[GENERATOR_KEY] = GENERATOR_VERSION


def tag_variants(collection: bpy.types.Collection, level_id: str) -> None:
    """Mark a collection as holding the variants the level `level_id` instances."""
    collection[VARIANTS_KEY] = level_id
    collection[GENERATOR_KEY] = GENERATOR_VERSION


def is_owned(id_block: bpy.types.ID, level_id: str) -> bool:
    return bool(id_block.get(LEVEL_KEY) == level_id)


def level_collections() -> Iterator[bpy.types.Collection]:
    """Every level collection in the file."""
    return (c for c in bpy.data.collections if LEVEL_KEY in c)


def find_level(level_id: str) -> bpy.types.Collection | None:
    return next((c for c in level_collections() if c[LEVEL_KEY] == level_id), None)


def scene_levels(scene: bpy.types.Scene) -> list[bpy.types.Collection]:
    """The level collections linked into `scene` (at any depth)."""
    in_scene = set(scene.collection.children_recursive)
    return [c for c in level_collections() if c in in_scene]


def store_spec(collection: bpy.types.Collection, spec: LevelSpec) -> None:
    """Keep the level's spec on its collection, saved with the file, for regenerate and exports."""
    collection[SPEC_KEY] = json.dumps(spec.to_dict(), sort_keys=True)


def stored_spec(collection: bpy.types.Collection) -> LevelSpec:
    """The spec a level collection was made from (older files' field names are read too).

    Raises InvalidSpecError when the stored spec is not one this version reads.
    """
    return LevelSpec.from_dict(json.loads(collection[SPEC_KEY]))


def made_objects(collection: bpy.types.Collection) -> list[bpy.types.Object]:
    """The objects the add-on made for a level (a level saved before the list: its tagged ones)."""
    if MADE_KEY not in collection:
        level_id = collection[LEVEL_KEY]
        return [obj for obj in bpy.data.objects if is_owned(obj, level_id)]
    # A reference to an object deleted since reads None.
    return [obj for obj in collection[MADE_KEY] if isinstance(obj, bpy.types.Object)]


def record_made(collection: bpy.types.Collection, objects: list[bpy.types.Object]) -> None:
    """Add objects to the level's list of what it made."""
    collection[MADE_KEY] = [*made_objects(collection), *objects]


def tag_strip(strip: Any, level_id: str) -> None:
    """Mark a sequencer strip as made by the level `level_id`."""
    strip[LEVEL_KEY] = level_id
    strip[GENERATOR_KEY] = GENERATOR_VERSION


def record_made_strips(collection: bpy.types.Collection, strips: list[Any]) -> None:
    """Add sequencer strips to the level's list of what it made."""
    collection[STRIPS_KEY] = [*collection.get(STRIPS_KEY, []), *(strip.name for strip in strips)]


def top_strips(editor: Any) -> Any:
    """A sequence editor's top-level strips: `strips` from Blender 4.4 on, `sequences` before."""
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def remove_made_strips(collection: bpy.types.Collection) -> int:
    """Remove the sequencer strips made for this level (in any scene) and their sounds once nothing
    else uses them; a copy the user made of one stays, with its sound, as the user's."""
    level_id = collection[LEVEL_KEY]
    names = set(collection.get(STRIPS_KEY, []))
    removed, sounds = 0, []
    for scene in bpy.data.scenes:
        editor = scene.sequence_editor
        if editor is None or not names:
            continue
        strips = top_strips(editor)
        for strip in list(strips):
            if strip.get(LEVEL_KEY) == level_id and strip.name in names:
                sounds.append(getattr(strip, "sound", None))
                strips.remove(strip)
                removed += 1
    for sound in sounds:
        if sound is not None and is_owned(sound, level_id):
            if sound.users == 0:
                bpy.data.sounds.remove(sound)
            else:
                _untag(sound)
    if STRIPS_KEY in collection:
        collection[STRIPS_KEY] = []
    return removed


def remove_made_objects(collection: bpy.types.Collection) -> int:
    """Delete the objects (and their now unused data) made for this level; copies the user made
    of them stay, as the user's own objects (their tags removed).

    A user's object parented to one of them is unparented first, keeping its place in the world.
    """
    level_id = collection[LEVEL_KEY]
    remove_made_strips(collection)
    owned = made_objects(collection)
    owned_names = {obj.name for obj in owned}
    copies = [obj for obj in bpy.data.objects if is_owned(obj, level_id) and obj.name not in owned_names]
    # One pass over the file's objects: `obj.children` scans them all on every call.
    for child in bpy.data.objects:
        if child.parent is not None and child.parent.name in owned_names and child.name not in owned_names:
            world = child.matrix_world.copy()
            child.parent = None
            child.matrix_world = world
    # Lamps share one light datablock: collect each datablock once.
    data_blocks = list({(type(obj.data), obj.data.name): obj.data for obj in owned if obj.data is not None}.values())
    # The instancing node groups (one per instanced kind, which the pieces share; a build stopped
    # before its first piece leaves one that nothing uses yet), and their variants' collections.
    groups = [group for group in bpy.data.node_groups if is_owned(group, level_id)]
    variants = [held for held in bpy.data.collections if held.get(VARIANTS_KEY) == level_id]
    # One batch: removing objects one at a time costs the square of their number.
    bpy.data.batch_remove(owned)
    collection[MADE_KEY] = []
    unused = [data for data in [*data_blocks, *groups] if data.users == 0 and is_owned(data, level_id)]
    bpy.data.batch_remove(unused)
    bpy.data.batch_remove([held for held in variants if held.users == 0 and not held.all_objects])
    for obj in copies:
        _untag(obj)
        if obj.data is not None and is_owned(obj.data, level_id):
            _untag(obj.data)
    return len(owned)


def _untag(id_block: bpy.types.ID) -> None:
    for key in (LEVEL_KEY, GENERATOR_KEY, PIECE_KEY):
        if key in id_block:
            del id_block[key]


def remove_level(collection: bpy.types.Collection) -> int:
    """Remove a level's objects, and its collection once nothing of the user's is left in it."""
    removed = remove_made_objects(collection)
    if not collection.all_objects and not collection.children:
        bpy.data.collections.remove(collection)
    return removed
