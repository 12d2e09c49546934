"""Materials in Blender: node trees built from the recipes once per file, reused by name and version."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

import bpy
import numpy as np

from ..core.axis_normals import AXIS_FRAME, axis_framed
from ..core.fixtures import flicker_curve
from ..core.recipes import (
    FRAME_NODE,
    TEXTURES_DIR,
    Look,
    Node,
    NodeGroup,
    Recipe,
    is_color,
    linear_color,
    load_recipes,
)
from .camera_rig import fcurves, write_keys

RECIPE_KEY = "backrooms_recipe"
RECIPE_VERSION_KEY = "backrooms_recipe_version"
LOOK_KEY = "backrooms_look"


FLICKER_PREFIX = "fixture_flicker_"


def ensure_material(name: str, look: Look | None = None) -> bpy.types.Material:
    """The material for recipe `name` (and the level's look, where the recipe depends on it): the
    existing one at this recipe version, or a new one.

    fixture_flicker_<phase> is the lit diffuser whose emission follows flicker pattern <phase>.
    """
    found = existing_material(name, look)
    if found is not None:
        return found
    base = _base(name)
    recipe = load_recipes()[base]
    look = look or Look()
    values = look.inputs(base, recipe.base_color)
    look_key = look.key() if values else ""
    sibling = _sibling(base, recipe.version, look_key) if base != name else None
    material = _copy(sibling) if sibling is not None else _build_material(recipe)
    if values and sibling is None:
        material[LOOK_KEY] = look_key
        if look != Look():  # the default look keeps the plain name
            material.name = f"{recipe.label} ({look_key})"
        for (node, socket), value in values.items():
            _find(material.node_tree.nodes[node].inputs, socket).default_value = value
    if base != name:
        phase = int(name.removeprefix(FLICKER_PREFIX))
        material.name = f"{recipe.label} Flicker {phase}"
        material[RECIPE_KEY] = name
        # The recipe's "strength" node scales the diffuser's glow; keyframe its factor.
        strength = material.node_tree.nodes["strength"].inputs[1]
        animate(strength, "default_value", recipe.emission_strength * flicker_curve(0, phase), cyclic=True)
    return material


def existing_material(name: str, look: Look | None = None) -> bpy.types.Material | None:
    """The file's material for recipe `name` in `look` at this recipe version, if it has one."""
    base = _base(name)
    recipe = load_recipes()[base]
    look_key = (look or Look()).key() if (look or Look()).inputs(base, recipe.base_color) else ""
    found: bpy.types.Material | None = _tagged(bpy.data.materials, name, recipe.version, look_key)
    return found


def _base(name: str) -> str:
    """The recipe a material is made from: a flickering diffuser's is the lit diffuser's."""
    return "fixture_diffuser" if name.startswith(FLICKER_PREFIX) else name


def _sibling(base: str, version: int, look_key: str) -> bpy.types.Material | None:
    """A material of recipe `base` (plain or flickering) at this version and look, if the file has
    one: a flickering diffuser is its copy with other keys, cheaper than building the tree again.
    (What a user changed in the file's diffuser carries over, as it does for every level that
    reuses the file's materials.)"""
    for material in bpy.data.materials:
        recipe = material.get(RECIPE_KEY)
        if (
            isinstance(recipe, str)
            and (recipe == base or recipe.startswith(FLICKER_PREFIX))
            and material.get(RECIPE_VERSION_KEY) == version
            and material.get(LOOK_KEY, "") == look_key
        ):
            return material
    return None


def _copy(material: bpy.types.Material) -> bpy.types.Material:
    """A copy of `material` with no animation of its own (a copy would share the original's action)."""
    copy = material.copy()
    if copy.node_tree is not None and copy.node_tree.animation_data is not None:
        copy.node_tree.animation_data_clear()
    copy.animation_data_clear()
    return copy


def animate(owner: Any, path: str, values: Any, cyclic: bool = False) -> None:
    """Keyframes from frame 1 following `values` frame by frame: plain animation data, no drivers,
    no scripts to run. Only the frames around a change get a key: between two equal keys the
    curve stays flat, and a change happens within one frame. `cyclic`: the keys repeat for ever
    (an F-curve Cycles modifier, the first frame after the last key being the second one's), so a
    flicker goes on through a walk of any length."""
    values = np.asarray(values, np.float64)
    # A key where the value changes and on either side of it, and at both ends.
    changes = np.zeros(len(values), np.bool_)
    changes[[0, -1]] = True
    step = values[1:] != values[:-1]
    changes[1:] |= step
    changes[:-1] |= step
    frames = np.nonzero(changes)[0]
    setattr(owner, path, float(values[-1]))
    full = path if isinstance(owner, bpy.types.ID) else owner.path_from_id(path)
    (curve,) = fcurves(owner.id_data, full, 1)
    write_keys(curve, frames + 1.0, values[frames], "BEZIER")
    if cyclic:
        curve.modifiers.new("CYCLES")


def normal_maps_as_written(materials: Iterable[bpy.types.Material], undo: ExitStack) -> None:
    """Give the materials framed by the axes (core/axis_normals.py) their recipes' own normal maps
    until `undo` closes: tangent space, the texture straight into the Normal Map node. To compare
    the framed normals with them and to measure what the framing saves (benchmarks/bench_bvh.py)."""
    for material in materials:
        frame = framing_node(material)
        if frame is None or not frame.inputs[0].links or not frame.outputs[0].links:
            continue  # not framed, or changed by hand
        tree = material.node_tree
        normal = frame.outputs[0].links[0].to_node
        tree.links.new(frame.inputs[0].links[0].from_socket, normal.inputs["Color"])
        normal.space = "TANGENT"
        undo.callback(_framed_again, tree, frame, normal)


def framing_node(material: bpy.types.Material) -> bpy.types.Node | None:
    """The material's node that frames its normal map by the axes (the AXIS_FRAME group), if any."""
    frame = material.node_tree.nodes.get(FRAME_NODE) if material.node_tree else None
    tree = getattr(frame, "node_tree", None)
    return frame if tree is not None and tree.get(RECIPE_KEY) == AXIS_FRAME.name else None


def _framed_again(tree: bpy.types.NodeTree, frame: bpy.types.Node, normal: bpy.types.Node) -> None:
    tree.links.new(frame.outputs[0], normal.inputs["Color"])
    normal.space = "OBJECT"


def ensure_image(file_name: str, colorspace: str, version: int) -> bpy.types.Image:
    """A texture image, loaded once per file and packed into it, so a saved .blend keeps its look."""
    found = _tagged(bpy.data.images, file_name, version)
    if found is not None:
        return found
    # A file image packed from its bytes: the same pixels as images.load gives, without the
    # image loader's set-up (about 12 ms on a process's first image), which a render pays instead.
    path = TEXTURES_DIR / file_name
    data = path.read_bytes()
    image = bpy.data.images.new(f"Backrooms {file_name}", 1, 1)
    image.source = "FILE"
    image.filepath = str(path)
    image.pack(data=data, data_len=len(data))
    image.colorspace_settings.name = colorspace
    image[RECIPE_KEY] = file_name
    image[RECIPE_VERSION_KEY] = version
    return image


def _tagged(blocks: Iterable[Any], name: str, version: int, look: str = "") -> Any:
    return next(
        (
            b
            for b in blocks
            if b.get(RECIPE_KEY) == name and b.get(RECIPE_VERSION_KEY) == version and b.get(LOOK_KEY, "") == look
        ),
        None,
    )


def _build_material(recipe: Recipe) -> bpy.types.Material:
    material = node_material(axis_framed(recipe))
    material[RECIPE_KEY] = recipe.name
    material[RECIPE_VERSION_KEY] = recipe.version
    return material


def node_material(recipe: Recipe) -> bpy.types.Material:
    """A new material holding the recipe's node tree, untagged (so ensure_material never reuses it)."""
    material = bpy.data.materials.new(recipe.label)
    if material.node_tree is None:  # Blender 4.x; from 5.0 every material has its node tree
        material.use_nodes = True
    tree = material.node_tree
    tree.nodes.clear()
    _fill(tree, recipe.nodes, recipe.links, recipe.version)
    # The viewport's solid mode shows this colour, so the level reads right before a render.
    material.diffuse_color = linear_color(recipe.base_color)
    return material


def ensure_node_group(group: NodeGroup) -> bpy.types.NodeTree:
    """The file's shader node group `group` at its version, or a new one (tagged as a recipe's
    material is, so that every material and level in the file shares one)."""
    found: bpy.types.NodeTree | None = _tagged(bpy.data.node_groups, group.name, group.version)
    if found is not None:
        return found
    tree = bpy.data.node_groups.new(group.label, "ShaderNodeTree")
    tree.description = group.description
    for sockets, side in ((group.inputs, "INPUT"), (group.outputs, "OUTPUT")):
        for name, socket_type in sockets:
            tree.interface.new_socket(name, in_out=side, socket_type=socket_type)
    _fill(tree, group.nodes, group.links, group.version)
    tree[RECIPE_KEY] = group.name
    tree[RECIPE_VERSION_KEY] = group.version
    return tree


def _fill(tree: bpy.types.NodeTree, specs: dict[str, Node], links: tuple[tuple[str, str], ...], version: int) -> None:
    """Add the nodes and links to `tree`, laid out to read left to right."""
    nodes = {key: _add_node(tree, key, node, version) for key, node in specs.items()}
    for source, target in links:
        tree.links.new(_socket(nodes, source, outputs=True), _socket(nodes, target, outputs=False))
    _arrange(nodes, links)


def _add_node(tree: bpy.types.NodeTree, key: str, spec: Node, version: int) -> bpy.types.Node:
    node = tree.nodes.new(spec.type)
    node.name = node.label = key
    if spec.group is not None:  # first: the group's sockets come with it
        node.node_tree = ensure_node_group(spec.group)
    for prop, value in spec.props.items():
        setattr(node, prop, value)
    for socket_name, value in spec.inputs.items():
        socket = _find(node.inputs, socket_name)
        socket.default_value = linear_color(value) if is_color(value) else value
    if spec.image:
        node.image = ensure_image(spec.image, spec.colorspace, version)
    return node


def _socket(nodes: dict[str, bpy.types.Node], end: str, outputs: bool) -> bpy.types.NodeSocket:
    key, socket_name = end.split(".", 1)
    return _find(nodes[key].outputs if outputs else nodes[key].inputs, socket_name)


def _find(sockets: Any, name: str) -> bpy.types.NodeSocket:
    """A socket by identifier first (unique), then by name (the first enabled one)."""
    for socket in sockets:
        if socket.identifier == name:
            return socket
    for socket in sockets:
        if socket.name == name and socket.enabled:
            return socket
    raise KeyError(f"no socket {name!r} on node")


def _arrange(nodes: dict[str, bpy.types.Node], links: tuple[tuple[str, str], ...]) -> None:
    """Lay nodes out left to right by their distance from the inputs, so the tree reads in the editor."""
    depth = {key: 0 for key in nodes}
    for _ in range(len(nodes)):
        for source, target in links:
            a, b = source.split(".", 1)[0], target.split(".", 1)[0]
            depth[b] = max(depth[b], depth[a] + 1)
    rows: dict[int, int] = {}
    for key, node in nodes.items():
        row = rows.get(depth[key], 0)
        rows[depth[key]] = row + 1
        node.location = (depth[key] * 280.0, -row * 320.0)
