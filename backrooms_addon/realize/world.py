"""The scene's world as a level's style wants it: the add-on's own world datablock per style.

A level lit from inside (Level 0) needs an almost black world, the Courtyard a bright sky, and a
plain render straight after generating must look right. So generating assigns the add-on's world
for the style to the scene. The user's own world is never edited: the scene only points away from
it, it is remembered on the scene (which keeps it alive in the saved file), and it comes back
when the scene's last level is cleared.
"""

from __future__ import annotations

import math
from typing import Any

import bpy

from ..core.styles import Style

WORLD_KEY = "backrooms_world"  # on a world the add-on made: the key of the style it is lit for
PREVIOUS_WORLD_KEY = "backrooms_previous_world"  # on a scene: the world it had before a level
EEVEE_NODE = "EEVEE ambient"  # the world's node names for EEVEE's own ambient
EEVEE_OUTPUT = "EEVEE output"


def light_scene(scene: bpy.types.Scene, style: Style) -> bpy.types.World:
    """Point the scene at the add-on's world for `style`, remembering the user's world first."""
    current = scene.world
    if current is None or not _ours(current):  # the scene's own choice: what Clear gives back
        _remember(scene, current)
    world = _style_world(style)
    scene.world = world
    return world


def restore_world(scene: bpy.types.Scene) -> None:
    """Give the scene back the world it had before its first level; drop the add-on's unused worlds."""
    if scene.world is not None and not _ours(scene.world):
        return  # the user chose another world since: leave it
    previous = scene.get(PREVIOUS_WORLD_KEY)
    if scene.world is not None:  # None too may be the user's choice since: then it stays
        scene.world = previous if isinstance(previous, bpy.types.World) else None
    if PREVIOUS_WORLD_KEY in scene:
        del scene[PREVIOUS_WORLD_KEY]
    for world in [w for w in bpy.data.worlds if _ours(w) and w.users == 0]:
        bpy.data.worlds.remove(world)


def _remember(scene: bpy.types.Scene, world: bpy.types.World | None) -> None:
    if world is not None:
        scene[PREVIOUS_WORLD_KEY] = world  # an ID property counts as a user: saved with the file
    elif PREVIOUS_WORLD_KEY in scene:
        del scene[PREVIOUS_WORLD_KEY]


def _style_world(style: Style) -> bpy.types.World:
    """The add-on's world for a style, made once per file and set to the style's sky each time."""
    name = f"Backrooms {style.label.split(',')[0]} world"
    # By name too: a copy the user made of it carries the key, and is theirs to change.
    world = next((w for w in bpy.data.worlds if w.get(WORLD_KEY) == style.key and w.name == name), None)
    if world is None:
        world = bpy.data.worlds.new(name)
        world[WORLD_KEY] = style.key
    if world.node_tree is None:  # Blender 4.x makes worlds without nodes; 5.0 always has them
        world.use_nodes = True
    _light_world(world, style)
    return world


def _light_world(world: bpy.types.World, style: Style) -> None:
    """The world as the style has it: almost black for levels lit from inside, daylight otherwise."""
    if not _same(world.color, tuple(style.world_rgb)):
        world.color = style.world_rgb
    tree = world.node_tree
    if tree is None:
        return
    background = next((n for n in tree.nodes if n.bl_idname == "ShaderNodeBackground" and n.name != EEVEE_NODE), None)
    if background:  # worlds with nodes (always, from Blender 5.0) ignore world.color
        _set(background.inputs["Color"], (*style.world_rgb, 1.0))
        _set(background.inputs["Strength"], style.world_strength)
    if not _has_ambient(tree, style.eevee_ambient_rgb):
        _eevee_ambient(tree, style.eevee_ambient_rgb)


def _set(socket: bpy.types.NodeSocket, value: float | tuple[float, ...]) -> None:
    """Set an input's value only where it differs: every set updates the tree, each generate."""
    if not _same(socket.default_value, value):
        socket.default_value = value


def _same(current: Any, value: float | tuple[float, ...]) -> bool:
    """Whether a socket's value (float32) is `value`."""
    values = value if isinstance(value, tuple) else (value,)
    held = tuple(current) if isinstance(value, tuple) else (current,)
    return len(held) == len(values) and all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(held, values, strict=True))


def _has_ambient(tree: bpy.types.NodeTree, rgb: tuple[float, float, float] | None) -> bool:
    """Whether the world's nodes are already what _eevee_ambient makes for `rgb` (a regeneration's)."""
    main = next((n for n in tree.nodes if n.bl_idname == "ShaderNodeOutputWorld" and n.name != EEVEE_OUTPUT), None)
    ambient, output = tree.nodes.get(EEVEE_NODE), tree.nodes.get(EEVEE_OUTPUT)
    if main is None or rgb is None:
        return main is not None and main.target == "ALL" and ambient is None and output is None
    return (
        main.target == "CYCLES"
        and ambient is not None
        and output is not None
        and output.target == "EEVEE"
        and _same(ambient.inputs["Color"].default_value, (*rgb, 1.0))
        and _same(ambient.inputs["Strength"].default_value, 1.0)
        and any(link.from_node == ambient for link in output.inputs["Surface"].links)
    )


def _eevee_ambient(tree: bpy.types.NodeTree, rgb: tuple[float, float, float] | None) -> None:
    """A second world output that only EEVEE reads, glowing `rgb`; the first then feeds only Cycles.

    Without it EEVEE's world is the almost black one, and what screen-space rays cannot see (light
    bouncing off the floor behind the camera) is missing: a level whose nearest lamps are dark
    renders black there while Cycles shows it dimly lit.
    """
    for name in (EEVEE_NODE, EEVEE_OUTPUT):
        if name in tree.nodes:
            tree.nodes.remove(tree.nodes[name])
    main = next((n for n in tree.nodes if n.bl_idname == "ShaderNodeOutputWorld"), None)
    if main is None:
        return
    main.target = "ALL" if rgb is None else "CYCLES"
    if rgb is None:
        return
    ambient = tree.nodes.new("ShaderNodeBackground")
    ambient.name = ambient.label = EEVEE_NODE
    ambient.inputs["Color"].default_value = (*rgb, 1.0)
    ambient.inputs["Strength"].default_value = 1.0
    output = tree.nodes.new("ShaderNodeOutputWorld")
    output.name = output.label = EEVEE_OUTPUT
    output.target = "EEVEE"
    ambient.location = main.location.x - 200, main.location.y - 200
    output.location = main.location.x, main.location.y - 200
    tree.links.new(ambient.outputs["Background"], output.inputs["Surface"])


def _ours(world: bpy.types.World) -> bool:
    """A world the add-on made (a copy the user made of one has another name)."""
    style = world.get(WORLD_KEY)
    return isinstance(style, str) and world.name.startswith("Backrooms ") and world.name.endswith(" world")
