"""Game-ready glTF: the scene's levels as a .glb for game engines, the user's file left as it was."""

from __future__ import annotations

import importlib
import json
import math
import struct
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ..core.collision import collision_mesh
from ..core.errors import BackroomsError
from ..core.geometry import MeshArrays
from ..core.gltf_recipe import brightened, gltf_recipe
from ..core.plan import LevelPlan, plan_level, troffer_size
from ..core.recipes import load_recipes
from ..core.troffer import troffer_kind
from ..core.version import GENERATOR_VERSION
from .level import built_plan, look_of, steady_power
from .materials import FLICKER_PREFIX, RECIPE_KEY, ensure_material, node_material
from .mesh import MeshTemplates, mesh_from_arrays
from .ownership import GENERATOR_KEY, LEVEL_KEY, PIECE_KEY, made_objects, scene_levels, stored_spec, tag
from .troffers import instanced_kind, load_troffer

COLLISION_SUFFIX = "-colonly"  # Godot's import convention: a collision shape, not a visible mesh
# Everything the export makes lives only while it runs: whatever is new afterwards goes.
MADE_KINDS = ("materials", "lights", "meshes", "objects", "collections", "images")
# glTF has no area lights: troffers become wide spots facing down, soft from the centre out.
SPOT_SIZE = math.radians(160.0)
# A spot of 4 P watts is as bright straight ahead as a Lambertian area light of P watts.
AREA_TO_SPOT = 4.0


def export_game_glb(path: Path, scene: bpy.types.Scene, *, draco: bool = False, collision: bool = True) -> None:
    """Export the Backrooms levels in `scene` to a binary glTF for game engines.

    One node per piece and kind, with the recipes' textures embedded (wallpaper tint, emission and
    tiling as glTF factors), the Lightmap UVs as TEXCOORD_1, the lamps as KHR_lights_punctual
    spots, the camera, and (with `collision`) one `-colonly` collision node per piece. Stand-in
    materials, lights and the collision objects exist only during the export: afterwards the file
    is exactly as before, even when the export fails. `draco` compresses the meshes
    (KHR_draco_mesh_compression); a Blender whose exporter lacks the Draco library raises
    BackroomsError instead.
    """
    if draco:
        require_draco()
    levels = scene_levels(scene)
    if not levels:
        raise BackroomsError(f"scene {scene.name!r} holds no Backrooms level to export")
    with ExitStack() as undo:
        undo.callback(_remove_new, {kind: set(getattr(bpy.data, kind)) for kind in MADE_KINDS})
        export = _export_collection(scene)
        plans = _Plans()
        objects = [obj for level in levels for obj in _with_troffers(level, level_objects(scene, level), plans, undo)]
        for obj in objects:
            export.objects.link(obj)
        stand_ins = _stand_in_materials(objects, undo)
        _bake_tiling(objects, stand_ins, undo)
        _stand_in_lights(objects, undo)
        if collision:
            for level in levels:
                _add_collision(level, level_objects(scene, level), export, plans)
        _run_exporter(path, scene, export, draco, undo)
    _require_only_what_is_needed(path)


def require_draco() -> None:
    """Fail clearly where this Blender's glTF exporter cannot compress with Draco."""
    exporter = importlib.import_module("io_scene_gltf2")
    if not exporter.is_draco_available():
        raise BackroomsError(
            "draco: this Blender's glTF exporter has no Draco library (libextern_draco), so it "
            "cannot compress meshes; export without draco, or point BLENDER_EXTERN_DRACO_LIBRARY_PATH at one"
        )


def level_objects(scene: bpy.types.Scene, level: bpy.types.Collection) -> list[bpy.types.Object]:
    """The objects in the scene that the add-on made for this level (not the user's, nor copies)."""
    in_scene = set(scene.objects)
    return [obj for obj in made_objects(level) if obj in in_scene]


def _export_collection(scene: bpy.types.Scene) -> bpy.types.Collection:
    """What the exporter exports: the level objects linked in once more, and the collision."""
    export = bpy.data.collections.new("Backrooms levels")
    scene.collection.children.link(export)
    return export


# ---------------------------------------------------------------------------------------------
# Stand-ins: plain materials and spot lights in place of the procedural ones, for the export only


def _stand_in_materials(objects: Iterable[bpy.types.Object], undo: ExitStack) -> set[bpy.types.Material]:
    """Put the stand-ins in the level materials' slots; returns the stand-ins."""
    stand_ins: dict[bpy.types.Material, bpy.types.Material | None] = {}
    for obj in objects:
        for index, slot in enumerate(obj.material_slots):
            original = slot.material
            if original is None or RECIPE_KEY not in original:
                continue  # the user's own material: exported as it is
            if original not in stand_ins:
                stand_ins[original] = _gltf_material(original, undo)
            if stand_ins[original] is not None:
                slot.material = stand_ins[original]
                undo.callback(_set_slot, obj, index, original)
    return {material for material in stand_ins.values() if material is not None}


def _set_slot(obj: bpy.types.Object, index: int, material: bpy.types.Material) -> None:
    obj.material_slots[index].material = material


def _gltf_material(original: bpy.types.Material, undo: ExitStack) -> bpy.types.Material | None:
    """The original's recipe as a glTF-ready tree, with the original's input values (the look)."""
    name = str(original[RECIPE_KEY])
    recipe = load_recipes().get("fixture_diffuser" if name.startswith(FLICKER_PREFIX) else name)
    if recipe is None or original.node_tree is None:
        return None
    material = node_material(gltf_recipe(recipe))
    _copy_inputs(original.node_tree, material.node_tree)
    _fit_factors(material.node_tree)
    # Walls face the walkable space and troffers face down: nothing is seen from behind.
    material.use_backface_culling = True
    _take_name(original, material, undo)
    return material


def _copy_inputs(source: bpy.types.NodeTree, target: bpy.types.NodeTree) -> None:
    """Unlinked input values of the nodes both trees have: the look's tint, tiling, strengths."""
    for node in target.nodes:
        twin = source.nodes.get(node.name)
        if twin is None or twin.bl_idname != node.bl_idname:
            continue
        inputs = {socket.identifier: socket for socket in twin.inputs}
        for socket in node.inputs:
            other = inputs.get(socket.identifier)
            if other is None or socket.is_linked or other.is_linked or not hasattr(socket, "default_value"):
                continue
            socket.default_value = other.default_value


def _fit_factors(tree: bpy.types.NodeTree) -> None:
    """A Mix Multiply by a constant brighter than 1 (a tint brighter than its texture): glTF
    factors stop at 1, so the texture is brightened instead (a copy) and the factor divided."""
    for node in tree.nodes:
        if node.bl_idname != "ShaderNodeMix" or node.blend_type != "MULTIPLY":
            continue
        texture, factor = _input(node, "A_Color"), _input(node, "B_Color")
        gain = max(factor.default_value[:3])
        source = texture.links[0].from_node if texture.is_linked else None
        if gain > 1.0 and source is not None and source.bl_idname == "ShaderNodeTexImage" and source.image:
            source.image = _brightened_copy(source.image, gain)
            factor.default_value = (*(c / gain for c in factor.default_value[:3]), 1.0)


def _input(node: bpy.types.Node, identifier: str) -> bpy.types.NodeSocket:
    return next(socket for socket in node.inputs if socket.identifier == identifier)


def _brightened_copy(image: bpy.types.Image, gain: float) -> bpy.types.Image:
    width, height = image.size
    pixels = np.empty(width * height * 4, np.float32)
    image.pixels.foreach_get(pixels)
    # Named like the texture file, as the exporter names the images it reads from files.
    copy = bpy.data.images.new(Path(str(image.get(RECIPE_KEY, image.name))).stem, width, height, alpha=True)
    copy.pixels.foreach_set(brightened(pixels.reshape(-1, 4), gain).ravel())
    return copy


def _bake_tiling(objects: Iterable[bpy.types.Object], stand_ins: set[bpy.types.Material], undo: ExitStack) -> None:
    """Each stand-in material's tiling (its Mapping node) goes into the UVs of the exported meshes
    (copies made for the export), and the Mapping node out of the material: otherwise the file
    would need KHR_texture_transform, which some engines (Godot 3) ignore without a word."""
    tiled: set[bpy.types.Material] = set()
    for obj in objects:
        if obj.type != "MESH" or obj.data is None or UV_MAP not in obj.data.uv_layers:
            continue
        tiles = [_tiling(slot.material) if slot.material in stand_ins else None for slot in obj.material_slots]
        if all(tile is None for tile in tiles):
            continue
        mesh = obj.data.copy()
        _take_name(obj.data, mesh, undo)
        undo.callback(setattr, obj, "data", obj.data)
        obj.data = mesh
        _scale_uvs(mesh, tiles)
        tiled.update(slot.material for slot, tile in zip(obj.material_slots, tiles, strict=True) if tile is not None)
    for material in tiled:
        _drop_mapping(material.node_tree)


UV_MAP = "UVMap"  # the texture UVs (the Lightmap UVs are not tiled)


def _mapping(material: bpy.types.Material | None) -> bpy.types.Node | None:
    """A stand-in's Mapping node: a tiling by scale and offset (no rotation), else None."""
    if material is None or material.node_tree is None:
        return None
    node = next((n for n in material.node_tree.nodes if n.bl_idname == "ShaderNodeMapping"), None)
    if node is None or node.vector_type != "POINT" or any(node.inputs["Rotation"].default_value):
        return None
    return node


def _tiling(material: bpy.types.Material | None) -> tuple[float, float, float, float] | None:
    """(scale u, scale v, offset u, offset v) of a stand-in material's tiling, or None."""
    node = _mapping(material)
    if node is None:
        return None
    scale, offset = node.inputs["Scale"].default_value, node.inputs["Location"].default_value
    return (scale[0], scale[1], offset[0], offset[1])


def _scale_uvs(mesh: bpy.types.Mesh, tiles: list[tuple[float, float, float, float] | None]) -> None:
    """Apply each material's tiling to the UVs of its faces, as the Mapping node does."""
    layer = mesh.uv_layers[UV_MAP].data
    uvs = np.empty(len(layer) * 2, np.float32)
    layer.foreach_get("uv", uvs)
    uvs = uvs.reshape(-1, 2)
    starts, totals, materials = (np.empty(len(mesh.polygons), np.int32) for _ in range(3))
    mesh.polygons.foreach_get("loop_start", starts)
    mesh.polygons.foreach_get("loop_total", totals)
    mesh.polygons.foreach_get("material_index", materials)
    loops = np.repeat(starts, totals) + (np.arange(totals.sum()) - np.repeat(np.cumsum(totals) - totals, totals))
    loop_materials = np.repeat(materials, totals)
    for index, tile in enumerate(tiles):
        if tile is not None:
            chosen = loops[loop_materials == index]
            uvs[chosen] = uvs[chosen] * np.asarray(tile[:2], np.float32) + np.asarray(tile[2:], np.float32)
    layer.foreach_set("uv", uvs.ravel())


def _drop_mapping(tree: bpy.types.NodeTree) -> None:
    """Link the UVs straight into what the Mapping node fed (the UVs now hold the tiling)."""
    node = next(n for n in tree.nodes if n.bl_idname == "ShaderNodeMapping")
    source = node.inputs["Vector"].links[0].from_socket if node.inputs["Vector"].is_linked else None
    targets = [link.to_socket for link in node.outputs["Vector"].links]
    tree.nodes.remove(node)
    if source is not None:
        for target in targets:
            tree.links.new(source, target)


def _stand_in_lights(objects: Iterable[bpy.types.Object], undo: ExitStack) -> None:
    spots: dict[bpy.types.Light, bpy.types.Light] = {}
    for obj in objects:
        if obj.type != "LIGHT" or obj.data.type != "AREA":
            continue
        original = obj.data
        if original not in spots:
            spots[original] = _spot_like(original, undo)
        obj.data = spots[original]
        undo.callback(setattr, obj, "data", original)


def _spot_like(area: bpy.types.Light, undo: ExitStack) -> bpy.types.Light:
    """A spot facing down like the troffer's area light, as bright straight below it.

    A flickering lamp's power is animated: it goes out steady, at its style's lamp power.
    """
    spot = bpy.data.lights.new(area.name, type="SPOT")
    spot.color = area.color
    spot.energy = AREA_TO_SPOT * steady_power(area)
    spot.spot_size = SPOT_SIZE
    spot.spot_blend = 1.0
    spot.shadow_soft_size = 0.0  # glTF lights are points
    if LEVEL_KEY in area:
        tag(spot, str(area[LEVEL_KEY]))
    _take_name(area, spot, undo)
    return spot


def _take_name(original: bpy.types.ID, stand_in: bpy.types.ID, undo: ExitStack) -> None:
    """The stand-in goes out under the original's name; both get their own back afterwards."""
    name = original.name
    original.name = f"{name} (kept)"
    stand_in.name = name
    undo.callback(_give_back_name, original, stand_in, name)


def _give_back_name(original: bpy.types.ID, stand_in: bpy.types.ID, name: str) -> None:
    stand_in.name = f"{name} (glTF)"
    original.name = name


# ---------------------------------------------------------------------------------------------
# Collision


class _Plans:
    """The plans of the levels exported, each found once: the plan that built a level, or (for a
    level from a file opened again) the level planned again."""

    def __init__(self) -> None:
        self.found: dict[str, LevelPlan] = {}

    def __call__(self, level: bpy.types.Collection, what: str) -> LevelPlan:
        made_by = level.get(GENERATOR_KEY)
        if made_by != GENERATOR_VERSION:
            raise BackroomsError(
                f"{level.name!r} was made by generator version {made_by}, this is {GENERATOR_VERSION}: "
                f"regenerate it first: its {what}, rebuilt from its spec, would not match its walls"
            )
        if level.name not in self.found:
            spec = stored_spec(level)
            troffer = load_troffer(troffer_kind(troffer_size(spec)))
            self.found[level.name] = built_plan(str(level[LEVEL_KEY]), spec) or plan_level(spec, troffer)
        return self.found[level.name]


# ---------------------------------------------------------------------------------------------
# Troffers and furniture: Blender instances them; the .glb gets them as plain geometry


def _with_troffers(
    level: bpy.types.Collection, objects: list[bpy.types.Object], plans: _Plans, undo: ExitStack
) -> list[bpy.types.Object]:
    """The objects with each instancing piece (points that instance the troffers or the furniture)
    replaced by its kind's copies as one mesh, from the plan: under the piece's names, placed like it.

    Every engine reads plain meshes (EXT_mesh_gpu_instancing is optional and not read by all of
    them), the copies keep their own Lightmap UVs for baking, and the file is the one the add-on
    wrote before Blender instanced the troffers."""
    kinds = {obj: instanced_kind(obj) for obj in objects}
    if not any(kinds.values()):
        return objects
    plan = plans(level, "troffers")
    replaced: dict[bpy.types.Object, bpy.types.Object | None] = {}
    for kind in sorted({kind for kind in kinds.values() if kind is not None}):
        if kind in plan.meshes.instanced:
            instancers = [obj for obj, found in kinds.items() if found == kind]
            replaced.update(_copies_of(plan, kind, instancers, undo))
    return [replaced.get(obj, obj) for obj in objects if replaced.get(obj, obj) is not None]


def _copies_of(
    plan: LevelPlan, kind: str, instancers: list[bpy.types.Object], undo: ExitStack
) -> dict[bpy.types.Object, bpy.types.Object | None]:
    """Each instancing piece of one kind and the copies that replace it (None: none in its piece)."""
    mesh = plan.meshes.copies_of(kind).build()  # not kept in the plan: exports are rare, plans are kept
    spec = plan.spec
    look = look_of(spec)
    # Only the materials faces use (a level without sodium tubes has no such material to add).
    used = set(np.unique(mesh.material_indices).tolist())
    materials = [ensure_material(name, look) if i in used else None for i, name in enumerate(mesh.materials)]
    parts = dict(mesh.split())
    replaced: dict[bpy.types.Object, bpy.types.Object | None] = {}
    with MeshTemplates() as templates:
        for obj in instancers:
            column, row = obj[PIECE_KEY]
            part = parts.get(row * plan.pieces.columns + column)
            replaced[obj] = None if part is None else _troffer_copies(obj, part, materials, undo, templates)
    return replaced


def _troffer_copies(
    instancer: bpy.types.Object,
    part: MeshArrays,
    materials: list[bpy.types.Material | None],
    undo: ExitStack,
    templates: MeshTemplates,
) -> bpy.types.Object:
    mesh = mesh_from_arrays(f"{instancer.data.name} copies", part, materials, templates=templates)
    obj = bpy.data.objects.new(f"{instancer.name} copies", mesh)
    level_id = str(instancer[LEVEL_KEY])
    tag(obj, level_id)
    tag(mesh, level_id)
    obj[PIECE_KEY] = instancer[PIECE_KEY]
    obj.parent = instancer.parent
    obj.matrix_parent_inverse = instancer.matrix_parent_inverse.copy()
    obj.matrix_basis = instancer.matrix_basis.copy()
    _take_name(instancer.data, mesh, undo)
    _take_name(instancer, obj, undo)
    return obj


def _add_collision(
    level: bpy.types.Collection, objects: list[bpy.types.Object], export: bpy.types.Collection, plans: _Plans
) -> None:
    """One `-colonly` object per piece, placed like the piece's own objects."""
    plan = plans(level, "collision")
    pieces = {tuple(obj[PIECE_KEY]): obj for obj in objects if PIECE_KEY in obj}
    columns = plan.pieces.columns
    for piece, part in collision_mesh(plan).split():
        row, column = divmod(piece, columns)
        placed_like = pieces.get((column, row))
        if placed_like is not None:
            _collision_object(f"Backrooms collision {column},{row}", part, placed_like, export)


def _collision_object(base: str, part: MeshArrays, placed_like: bpy.types.Object, export: bpy.types.Collection) -> None:
    name = _free_name(base)
    mesh = mesh_from_arrays(name, part, [])
    mesh.uv_layers.remove(mesh.uv_layers[0])  # nothing is drawn on collision
    obj = bpy.data.objects.new(name, mesh)
    tag(obj, str(placed_like[LEVEL_KEY]))
    obj[PIECE_KEY] = placed_like[PIECE_KEY]
    obj.parent = placed_like.parent
    obj.matrix_parent_inverse = placed_like.matrix_parent_inverse.copy()
    obj.matrix_basis = placed_like.matrix_basis.copy()
    export.objects.link(obj)


def _free_name(base: str) -> str:
    """`base-colonly`, or `base.001-colonly` and so on where that is taken (several levels)."""
    name, number = base, 0
    while f"{name}{COLLISION_SUFFIX}" in bpy.data.objects or f"{name}{COLLISION_SUFFIX}" in bpy.data.meshes:
        number += 1
        name = f"{base}.{number:03d}"
    return f"{name}{COLLISION_SUFFIX}"


# ---------------------------------------------------------------------------------------------
# The exporter


def _run_exporter(
    path: Path, scene: bpy.types.Scene, export: bpy.types.Collection, draco: bool, undo: ExitStack
) -> None:
    context = bpy.context
    window = context.window
    if window is not None:
        # The exporter makes the scene it exported the window's scene; put the user's back.
        undo.callback(setattr, window, "scene", window.scene)
    override = {} if scene == context.scene else {"scene": scene, "view_layer": scene.view_layers[0]}
    with context.temp_override(**override):
        bpy.ops.export_scene.gltf(
            filepath=str(path),
            check_existing=False,
            export_format="GLB",
            collection=export.name,
            export_texcoords=True,  # every UV map: UVMap is TEXCOORD_0, Lightmap TEXCOORD_1
            export_normals=True,
            export_tangents=True,  # the normal maps then look the same in every engine
            export_materials="EXPORT",
            export_image_format="AUTO",
            export_cameras=True,
            export_lights=True,
            export_extras=True,
            export_animations=False,  # flicker is Blender keyframes on node sockets: not for glTF
            export_draco_mesh_compression_enable=draco,
        )


# Extensions a reader cannot do without: compressed meshes cannot be read without a decoder. The
# exporter also lists KHR_lights_punctual as required, yet a reader without it just has no lamps.
NEEDED_EXTENSIONS = ("KHR_draco_mesh_compression",)


def _require_only_what_is_needed(path: Path) -> None:
    """Rewrite the .glb's extensionsRequired to list only NEEDED_EXTENSIONS that it uses."""
    data = path.read_bytes()
    (json_length,) = struct.unpack_from("<I", data, 12)
    document = json.loads(data[20 : 20 + json_length])
    required = [name for name in document.get("extensionsRequired", []) if name in NEEDED_EXTENSIONS]
    if required == document.get("extensionsRequired", []):
        return
    if required:
        document["extensionsRequired"] = required
    else:
        del document["extensionsRequired"]
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)  # chunks are 4-byte aligned; JSON pads with spaces
    rest = data[20 + json_length :]
    header = struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(text) + len(rest))
    path.write_bytes(header + struct.pack("<I4s", len(text), b"JSON") + text + rest)


def _remove_new(before: dict[str, set[Any]]) -> None:
    """Remove every datablock made since `before`: the stand-ins, the collision, their collection."""
    for kind in reversed(MADE_KINDS):
        blocks = getattr(bpy.data, kind)
        for block in [b for b in blocks if b not in before[kind]]:
            blocks.remove(block)
