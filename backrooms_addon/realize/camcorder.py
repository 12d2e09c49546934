"""The camcorder look in a scene's compositor: the template's node group, its per-frame images and their handler."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ..core.camcorder import DEFAULT_START, REFERENCE_WIDTH, look_named, osd_raster, osd_text, tape_noise, tape_shift

TEMPLATE_FILE = Path(__file__).resolve().parents[2] / "blend_templates" / "camcorder.blend"
GROUP = "Backrooms Camcorder"
SETTINGS_KEY = "backrooms_camcorder"  # on the scene: the look applied, and what was made for it
NODE_KEY = "backrooms_camcorder"  # on each compositor node the add-on made: its role
# The group's picture inputs fed by images the handler draws, and each image's name.
IMAGES = {"OSD": "Backrooms OSD", "Tape Noise": "Backrooms Tape Noise", "Tape Shift": "Backrooms Tape Shift"}
STRENGTH_INPUTS = {
    "chroma_shift": "Chroma Shift",
    "chroma_smear": "Chroma Smear",
    "luma_soften": "Luma Soften",
    "sharpen_halo": "Sharpen Halo",
    "luma_noise": "Luma Noise",
    "chroma_noise": "Chroma Noise",
    "tracking": "Tracking",
    "head_switch": "Head Switch",
    "vignette": "Vignette",
    "barrel": "Barrel",
    "wash": "Wash",
}


def apply_look(scene: bpy.types.Scene, look: str, seed: int, start: datetime | None = None, mode: str = "REC") -> None:
    """Give the scene's renders the look: its compositor runs the render through the camcorder
    group (inserted before the output, the user's nodes kept), with the strengths of `look`, the
    tape noise of `seed` and the display's clock set to `start`. "clean" removes the look."""
    chosen = look_named(look)
    osd_text(start or DEFAULT_START, 1, 1, mode)  # refuse a bad mode before touching anything
    if not chosen.has_effects:
        remove_look(scene)
        return
    settings = dict(scene.get(SETTINGS_KEY, {}))
    tree = _compositor(scene, settings)
    group_node = _find(tree, "group") or _insert_group(tree)
    for key, value in chosen.strengths().items():
        group_node.inputs[STRENGTH_INPUTS[key]].default_value = value
    settings.update(look=look, osd=chosen.osd, seed=int(seed), start=(start or DEFAULT_START).isoformat(), mode=mode)
    scene[SETTINGS_KEY] = settings
    install_handler()
    update_scene(scene)


def remove_look(scene: bpy.types.Scene) -> None:
    """Take the look out of the scene's compositor: the nodes the add-on made go, the link they
    sat in is joined again, and a compositor the add-on switched on or made is put back."""
    settings = scene.get(SETTINGS_KEY)
    if settings is None:
        return
    tree = _tree(scene)
    if tree is not None:
        _take_out(tree)
    if settings.get("made_tree") and tree is not None:
        scene.compositing_node_group = None
        if tree.users == 0:
            bpy.data.node_groups.remove(tree)
    if settings.get("made_use_nodes"):
        scene.use_nodes = False
    del scene[SETTINGS_KEY]
    _drop_unused()


def _tree(scene: bpy.types.Scene) -> Any:
    """The scene's compositor tree: compositing_node_group in Blender 5, node_tree before."""
    if hasattr(scene, "compositing_node_group"):
        return scene.compositing_node_group
    return scene.node_tree if scene.use_nodes else None


def _compositor(scene: bpy.types.Scene, settings: dict[str, Any]) -> Any:
    """The scene's compositor tree, switched on or made (and remembered as made) if need be,
    with a Render Layers node feeding an output."""
    if hasattr(scene, "compositing_node_group"):
        if scene.compositing_node_group is None:
            tree = bpy.data.node_groups.new("Backrooms Compositing", "CompositorNodeTree")
            tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
            scene.compositing_node_group = tree
            settings["made_tree"] = True
        scene.render.use_compositing = True
        tree = scene.compositing_node_group
    else:
        if not scene.use_nodes:
            scene.use_nodes = True  # makes Render Layers into Composite
            settings["made_use_nodes"] = True
        tree = scene.node_tree
    if _output_socket(tree) is None:
        _made(
            tree, "NodeGroupOutput" if hasattr(scene, "compositing_node_group") else "CompositorNodeComposite", "output"
        )
    return tree


def _output_socket(tree: Any) -> Any:
    for node in tree.nodes:
        if node.bl_idname in ("CompositorNodeComposite", "NodeGroupOutput") and node.inputs:
            return node.inputs[0]
    return None


def _made(tree: Any, kind: str, role: str) -> Any:
    node = tree.nodes.new(kind)
    node[NODE_KEY] = role
    return node


def _find(tree: Any, role: str) -> Any:
    return next((n for n in tree.nodes if n.get(NODE_KEY) == role), None)


def _insert_group(tree: Any) -> Any:
    """The group node put between the output and what fed it (a Render Layers node if nothing
    did), the images beside it."""
    target = _output_socket(tree)
    source = target.links[0].from_socket if target.is_linked else _render_layers(tree).outputs["Image"]
    node = _made(tree, "CompositorNodeGroup", "group")
    node.node_tree = load_group()
    node.location = (target.node.location.x - 220, target.node.location.y)
    target.node.location.x += 60
    tree.links.new(source, node.inputs["Image"])
    tree.links.new(node.outputs[0], target)
    for row, (socket, name) in enumerate(IMAGES.items()):
        image_node = _made(tree, "CompositorNodeImage", socket)
        image_node.image = _image(name)
        image_node.location = (node.location.x - 260, node.location.y - 60 - 120 * row)
        tree.links.new(image_node.outputs["Image"], node.inputs[socket])
    return node


def _render_layers(tree: Any) -> Any:
    found = next((n for n in tree.nodes if n.bl_idname == "CompositorNodeRLayers"), None)
    return found or _made(tree, "CompositorNodeRLayers", "render layers")


def _take_out(tree: Any) -> None:
    group = _find(tree, "group")
    if group is not None:
        source = group.inputs["Image"].links[0].from_socket if group.inputs["Image"].is_linked else None
        targets = [link.to_socket for link in group.outputs[0].links]
        for target in targets if source is not None else []:
            tree.links.new(source, target)
    for node in [n for n in tree.nodes if NODE_KEY in n]:
        tree.nodes.remove(node)


def _drop_unused() -> None:
    """The group and the images, once no scene uses them (the user may have used the group too)."""
    for name in IMAGES.values():
        image = bpy.data.images.get(name)
        if image is not None and image.users == 0:
            bpy.data.images.remove(image)
    group = bpy.data.node_groups.get(GROUP)
    if group is not None and group.users == 0:
        bpy.data.node_groups.remove(group)


def load_group() -> bpy.types.NodeTree:
    """The camcorder group, appended from the template file once per file."""
    group = bpy.data.node_groups.get(GROUP)
    if group is not None and group.library is None:
        return group
    with bpy.data.libraries.load(str(TEMPLATE_FILE), link=False) as (source, target):
        if GROUP not in source.node_groups:
            raise FileNotFoundError(f"{TEMPLATE_FILE.name} has no node group {GROUP!r}")
        target.node_groups = [GROUP]
    group = target.node_groups[0]
    group.use_fake_user = False
    return group


def _image(name: str) -> bpy.types.Image:
    """A float image holding data as it is (no colour management), made if missing."""
    image = bpy.data.images.get(name)
    if image is None:
        image = bpy.data.images.new(name, 4, 4, alpha=True, float_buffer=True)
    if name != IMAGES["OSD"]:
        image.colorspace_settings.name = "Non-Color"
    return image


def update_scene(scene: bpy.types.Scene) -> None:
    """Draw the display, the noise and the tearing of the scene's current frame into its images."""
    settings = scene.get(SETTINGS_KEY)
    tree = _tree(scene)
    group = _find(tree, "group") if tree is not None and settings is not None else None
    if group is None:
        return
    width, height = _render_size(scene)
    scale = width / REFERENCE_WIDTH
    if abs(group.inputs["Pixel Scale"].default_value - scale) > 1e-6:
        group.inputs["Pixel Scale"].default_value = scale
    seed, frame, fps = int(settings["seed"]), scene.frame_current, _fps(scene)
    start = datetime.fromisoformat(str(settings["start"]))
    text = osd_text(start, frame, fps, str(settings["mode"])) if settings.get("osd", True) else ("", "")
    _draw(tree, "OSD", f"{text}", lambda: osd_raster(text, width, height), (width, height))
    _draw(tree, "Tape Noise", f"{seed} {frame}", lambda: tape_noise(seed, frame, width, height), (width, height))
    _draw(tree, "Tape Shift", f"{seed} {frame}", lambda: tape_shift(seed, frame, fps, width, height), (width, height))


def _draw(tree: Any, role: str, key: str, pixels: Any, size: tuple[int, int]) -> None:
    """Fill the role's image with `pixels()` unless it already holds what `key` names at `size`."""
    node = _find(tree, role)
    image = node.image if node is not None else None
    if image is None:
        return
    if tuple(image.size) == size and image.get("backrooms_drawn") == key:
        return  # redrawing the same pixels would only cost time (the clock changes once a second)
    if tuple(image.size) != size:
        image.scale(*size)
    image.pixels.foreach_set(np.ascontiguousarray(pixels(), np.float32).ravel())
    image["backrooms_drawn"] = key
    image.update()


def _render_size(scene: bpy.types.Scene) -> tuple[int, int]:
    percent = scene.render.resolution_percentage / 100
    return max(1, round(scene.render.resolution_x * percent)), max(1, round(scene.render.resolution_y * percent))


def _fps(scene: bpy.types.Scene) -> int:
    return max(1, round(scene.render.fps / scene.render.fps_base))


@bpy.app.handlers.persistent  # type: ignore[untyped-decorator]
def backrooms_camcorder_frame(scene: bpy.types.Scene, *_args: object) -> None:
    """Before each frame is shown or rendered: the frame's display and tape noise."""
    if SETTINGS_KEY in scene:
        update_scene(scene)


_HANDLER_LISTS = ("frame_change_pre", "render_pre")


def install_handler() -> None:
    """Add the frame handler once (an older copy of it, from a reloaded add-on, is replaced)."""
    uninstall_handler()
    for name in _HANDLER_LISTS:
        getattr(bpy.app.handlers, name).append(backrooms_camcorder_frame)


def uninstall_handler() -> None:
    for name in _HANDLER_LISTS:
        handlers = getattr(bpy.app.handlers, name)
        for handler in [h for h in handlers if getattr(h, "__name__", "") == backrooms_camcorder_frame.__name__]:
            handlers.remove(handler)
