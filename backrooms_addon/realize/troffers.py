"""Template models from blend_templates/ (troffers.blend, furniture.blend), appended and read back
as arrays; a level's instanced kinds (its troffers, its furniture) as instances of their models."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import bpy
import numpy as np

from ..core.features import Source
from ..core.fixtures import DEAD, FLICKER, SODIUM, STEADY
from ..core.furniture import FURNITURE_MATERIALS, fitted
from ..core.geometry import MeshArrays, quad_faces
from ..core.plan import FIXTURES, FixtureInstances, Variant
from ..core.recipes import Look
from ..core.troffer import TEMPLATE_MATERIALS
from .file_cache import Arrays, appending, kept_arrays
from .materials import ensure_material
from .mesh import MeshTemplates, empty_mesh, mesh_from_arrays
from .ownership import tag, tag_variants

TEMPLATES = Path(__file__).resolve().parents[2] / "blend_templates"
TEMPLATE_FILE = TEMPLATES / "troffers.blend"
FURNITURE_FILE = TEMPLATES / "furniture.blend"
MODEL_ARRAYS = ("vertices", "uvs", "material_indices")  # what a model is kept as in the cache


def load_troffer(name: str) -> MeshArrays:
    """The named troffer model of troffers.blend as arrays (load_template)."""
    return load_template(TEMPLATE_FILE, name, TEMPLATE_MATERIALS)


def load_furniture(name: str) -> MeshArrays:
    """The named furniture model of furniture.blend (core/furniture.py MODELS) as arrays (load_template)."""
    return load_template(FURNITURE_FILE, name, FURNITURE_MATERIALS)


def load_template(path: Path, name: str, materials: tuple[str, ...]) -> MeshArrays:
    """The named model of a template file as arrays (its slots taken to be `materials`), appended
    and then let go, or loaded from the cache on disk when it has them.

    Only the geometry is kept: the level's own materials (one set per file) replace the template's,
    so appending never leaves duplicate materials or meshes behind. Read once per process while
    the file stays the same; the arrays are read-only, as every level shares them.
    """
    stat = path.stat()
    return _loaded(path, name, materials, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=32)
def _loaded(path: Path, name: str, materials: tuple[str, ...], size: int, mtime_ns: int) -> MeshArrays:
    """load_template's model, for the template file of this size and time: its arrays from the
    cache on disk (file_cache), else appended from the file."""
    label = f"{path.name} {name} {size} {mtime_ns}"
    found = kept_arrays(label, MODEL_ARRAYS, lambda: _appended(path, name), lambda got: _is_model(got, len(materials)))
    count = len(found["material_indices"])
    faces, pieces = quad_faces(count), np.zeros(count, np.int32)
    faces.flags.writeable = pieces.flags.writeable = False
    return MeshArrays(
        vertices=found["vertices"],
        faces=faces,
        uvs=found["uvs"],
        material_indices=found["material_indices"],
        materials=materials,
        pieces=pieces,
    )


def _appended(path: Path, name: str) -> Arrays:
    """The arrays of the model `name` in `path`, appended and then removed with whatever it brought."""
    before = {kind: set(getattr(bpy.data, kind)) for kind in ("meshes", "materials", "images")}
    with appending(path) as (source, target):
        if name not in source.meshes:
            raise FileNotFoundError(f"{path.name} has no mesh {name!r}")
        target.meshes = [name]
    mesh = target.meshes[0]
    try:
        return _arrays(mesh)
    finally:
        for kind, known in before.items():
            blocks = getattr(bpy.data, kind)
            for block in [b for b in blocks if b not in known]:
                blocks.remove(block)


def _arrays(mesh: bpy.types.Mesh) -> Arrays:
    """A quad mesh's corner positions (each face its own four), UVs and material indices."""
    attributes = mesh.attributes
    positions = np.empty(len(mesh.vertices) * 3, np.float32)
    attributes["position"].data.foreach_get("vector", positions)
    corners = np.empty(len(mesh.loops), np.int32)
    attributes[".corner_vert"].data.foreach_get("value", corners)
    sizes = np.empty(len(mesh.polygons), np.int32)
    mesh.polygons.foreach_get("loop_total", sizes)
    if not (sizes == 4).all():
        raise ValueError(f"template model {mesh.name!r} must be made of quads")
    uvs = np.empty(len(mesh.loops) * 2, np.float32)
    attributes["UVMap"].data.foreach_get("vector", uvs)
    materials = np.empty(len(mesh.polygons), np.int32)
    mesh.polygons.foreach_get("material_index", materials)
    return {"vertices": positions.reshape(-1, 3)[corners], "uvs": uvs.reshape(-1, 2), "material_indices": materials}


def _is_model(arrays: Arrays, materials: int) -> bool:
    """Whether cached arrays are a model as _arrays reads one, its faces in `materials` slots and
    every coordinate finite (a foreign or damaged file is not)."""
    indices, vertices, uvs = arrays["material_indices"], arrays["vertices"], arrays["uvs"]
    count = len(indices) if indices.ndim == 1 else 0
    return (
        count > 0
        and indices.dtype == np.dtype(np.int32)
        and (vertices.dtype, vertices.shape) == (np.dtype(np.float32), (4 * count, 3))
        and (uvs.dtype, uvs.shape) == (np.dtype(np.float32), (4 * count, 2))
        and 0 <= int(indices.min()) <= int(indices.max()) < materials
        and bool(np.isfinite(vertices).all() and np.isfinite(uvs).all())
    )


# ---------------------------------------------------------------------------------------------
# Instancing: a level's instanced kinds as instances of one mesh per variant (a troffer's state,
# size and style; a piece of furniture's model and turn)

INSTANCER_KEY = "backrooms_instancer"  # on a level's instancing node groups and their variant objects
INSTANCED_KIND_KEY = "backrooms_instanced"  # on a node group: the kind of mesh it instances
VARIANT_ATTRIBUTE = "variant"  # per point of an instancing piece: its variant (numbered per kind)
STATE_ATTRIBUTE = "state"  # per point: the fixture state (core/fixtures.py), for reading back
POINT_ATTRIBUTES = ((VARIANT_ATTRIBUTE, "INT", "POINT"), (STATE_ATTRIBUTE, "INT", "POINT"))
MODIFIER_NAME = "Troffers"
VARIANT_PREFIX = "Backrooms #"  # a variant object's name: this, its number, what it is
GROUP_NAMES = {FIXTURES: "troffers"}  # a kind's node group is named after what it holds


class Instancers:
    """A level's instanced variants in Blender: one object per variant, in a collection of the
    kind's that no scene holds (nothing but its instances is drawn), and per kind one Geometry
    Nodes group that puts an instance of the right one on every point of that kind's pieces. A
    walk's chunks share them."""

    def __init__(self, collection: bpy.types.Collection, level_id: str, look: Look) -> None:
        self.collection, self.level_id, self.look = collection, level_id, look
        self.keys: dict[str, dict[tuple[object, ...], int]] = {}  # per kind, its variants' numbers
        self.groups: dict[str, bpy.types.NodeTree] = {}
        self.models: dict[str, MeshArrays] = {}  # furniture.blend's models appended so far

    def _key(self, kind: Variant) -> tuple[object, ...]:
        return (kind.state, kind.mesh.materials, kind.mesh.vertices.tobytes())

    def _add_variant(self, kind: Variant, index: int, what: str) -> bpy.types.Object:
        group = self._group(what)  # first: what fails after the object is made takes it away again
        name = variant_name(index, kind.label or troffer_label(kind))
        materials = [ensure_material(material, self.look) for material in kind.mesh.materials]
        arrays = kind.mesh if kind.source is None else self._from_template(kind.mesh, kind.source)
        mesh = mesh_from_arrays(f"{self.collection.name} {name}", arrays, materials)
        obj = bpy.data.objects.new(name, mesh)
        try:
            gather_variant(group, obj, index)
        except BaseException:
            bpy.data.batch_remove([obj, mesh])
            raise
        for block in (obj, mesh):
            tag(block, self.level_id)
            block[INSTANCER_KEY] = index
        return obj

    def _group(self, what: str) -> bpy.types.NodeTree:
        if what not in self.groups:
            name = f"Backrooms {GROUP_NAMES.get(what, what)} ({self.collection.name})"
            variants = bpy.data.collections.new(name)  # named as its group: the variants it instances
            tag_variants(variants, self.level_id)  # at once: Clear finds it, whatever fails next
            group = new_instancer_group(name, variants)
            tag(group, self.level_id)
            group[INSTANCER_KEY] = -1
            group[INSTANCED_KIND_KEY] = what
            self.groups[what] = group
        return self.groups[what]

    def _from_template(self, planned: MeshArrays, source: Source) -> MeshArrays:
        """The variant's shape from furniture.blend, fitted as the plan fits the core's model, in
        the plan's materials and lightmap (which a test keeps the same as the core's)."""
        if source.name not in self.models:
            self.models[source.name] = load_furniture(source.name)
        made = fitted(self.models[source.name], source.scale, source.turns)
        if made.face_count != planned.face_count:
            raise ValueError(
                f"{FURNITURE_FILE.name}'s {source.name!r} has {made.face_count} faces, the plan's {planned.face_count}"
            )
        return dataclasses.replace(planned, vertices=made.vertices, uvs=made.uvs)

    def add_pieces(
        self,
        found: FixtureInstances,
        names: dict[int, str],
        what: str = FIXTURES,
        templates: MeshTemplates | None = None,
    ) -> Iterator[tuple[int | None, bpy.types.Object]]:
        """The variants of kind `what` not made yet (piece None), then one object per piece (named
        by `names`) holding a point at each instance, which the kind's node group instances: an
        object at a time (each piece's mesh copied from `templates` when given)."""
        indices = []
        known = self.keys.setdefault(what, {})
        for kind in found.kinds:
            key = self._key(kind)
            if key not in known:
                known[key] = len(known)
                yield None, self._add_variant(kind, known[key], what)
            indices.append(known[key])
        variants = np.array(indices, np.int32)[found.variants] if found.kinds else found.variants
        if not len(found.pieces):
            return
        order = np.argsort(found.pieces, kind="stable")
        present, starts = np.unique(found.pieces[order], return_index=True)
        stops = np.append(starts[1:], len(order))
        for piece, start, stop in zip(present.tolist(), starts.tolist(), stops.tolist(), strict=True):
            chosen = order[start:stop]
            name = names[piece]
            mesh = empty_mesh(f"{self.collection.name} {name}", POINT_ATTRIBUTES, (), templates)
            mesh.vertices.add(len(chosen))
            mesh.attributes["position"].data.foreach_set("vector", found.positions[chosen].astype(np.float32).ravel())
            for attribute, values in ((VARIANT_ATTRIBUTE, variants[chosen]), (STATE_ATTRIBUTE, found.states[chosen])):
                mesh.attributes[attribute].data.foreach_set("value", values.astype(np.int32))
            obj = bpy.data.objects.new(name, mesh)
            tag(obj, self.level_id)
            tag(mesh, self.level_id)
            self.collection.objects.link(obj)
            modifier = obj.modifiers.new(MODIFIER_NAME, "NODES")
            modifier.node_group = self._group(what)
            yield piece, obj


def variant_name(index: int, label: str) -> str:
    """A variant object's name: its number first (the order its group picks it in) and what it is."""
    return f"{VARIANT_PREFIX}{index} {label}"


def variant_label(name: str) -> str:
    """What a variant object holds, from its name (`Backrooms #2 desk 90`: `desk 90`)."""
    return name.removeprefix(VARIANT_PREFIX).partition(" ")[2]


def troffer_label(kind: Variant) -> str:
    """Its model's size and state, and how many of them a run holds (`x3`)."""
    model = kind.mesh.vertices[: len(kind.mesh.vertices) // kind.run]
    x, y = model[:, :2].max(axis=0) - model[:, :2].min(axis=0)
    run = f" x{kind.run}" if kind.run > 1 else ""
    return f"troffer {round(100 * x)}x{round(100 * y)} {state_name(kind.state)}{run}"


def is_troffer_variant(obj: bpy.types.Object) -> bool:
    """One of a level's instanced models (a troffer, a piece of furniture), which only its instances show."""
    return INSTANCER_KEY in obj


def instanced_kind(obj: bpy.types.Object) -> str | None:
    """The kind of mesh an instancing piece's points stand for (fixtures, furniture); None for
    any other object."""
    modifier = obj.modifiers.get(MODIFIER_NAME) if obj.type == "MESH" else None
    group = getattr(modifier, "node_group", None)
    if group is None or INSTANCER_KEY not in group:
        return None
    return str(group.get(INSTANCED_KIND_KEY, FIXTURES))


def is_troffer_instancer(obj: bpy.types.Object) -> bool:
    """An instancing piece: points that one of a level's node groups instances."""
    return instanced_kind(obj) is not None


def state_name(state: int) -> str:
    names = {STEADY: "steady", DEAD: "dead", SODIUM: "sodium"}
    return names.get(state, f"flicker {state - FLICKER}")


def new_instancer_group(name: str, variants: bpy.types.Collection) -> bpy.types.NodeTree:
    """Geometry Nodes: points in, on every point the instance its variant attribute picks among
    the objects of `variants`, in the natural order of their names (gather_variant adds one, named
    by variant_name: the n-th added is variant n)."""
    group = bpy.data.node_groups.new(name, "GeometryNodeTree")
    try:
        _instance_by_variant(group, variants)
    except BaseException:  # an API this Blender lacks: no half-made group left behind
        bpy.data.node_groups.remove(group)
        raise
    return group


def _instance_by_variant(group: bpy.types.NodeTree, variants: bpy.types.Collection) -> None:
    # The interface API of Blender 4.0 and later (4.2 and 5.x alike).
    group.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    group.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    nodes = group.nodes
    inputs, outputs = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    variant, gather = nodes.new("GeometryNodeInputNamedAttribute"), nodes.new("GeometryNodeCollectionInfo")
    place = nodes.new("GeometryNodeInstanceOnPoints")
    variant.data_type = "INT"
    variant.inputs["Name"].default_value = VARIANT_ATTRIBUTE
    # One instance per object of the collection, in the order of their names (numbered from 0 by
    # variant_name): one node however many variants, where a node each cost a tree update each.
    gather.inputs["Collection"].default_value = variants
    gather.inputs["Separate Children"].default_value = True
    gather.inputs["Reset Children"].default_value = True
    place.inputs["Pick Instance"].default_value = True
    for node, label, x, y in (
        (inputs, "input", -400, 0),
        (variant, "variant", -400, -150),
        (gather, "variants", -400, -300),
        (place, "place", 0, 0),
        (outputs, "output", 200, 0),
    ):
        node.name, node.location = label, (x, y)
    links = group.links
    links.new(inputs.outputs[0], place.inputs["Points"])
    links.new(gather.outputs[0], place.inputs["Instance"])
    links.new(variant.outputs["Attribute"], place.inputs["Instance Index"])
    links.new(place.outputs["Instances"], outputs.inputs[0])


def variants_of(group: bpy.types.NodeTree) -> bpy.types.Collection:
    """The collection of an instancing group's variant objects."""
    collection: bpy.types.Collection = group.nodes["variants"].inputs["Collection"].default_value
    return collection


def gather_variant(group: bpy.types.NodeTree, obj: bpy.types.Object, index: int) -> None:
    """Add `obj` to the group's variants, as variant `index` (which must be the next one, and
    `obj` named by variant_name, so that it sorts last)."""
    variants = variants_of(group)
    if len(variants.objects) != index:
        raise ValueError(f"{group.name} has {len(variants.objects)} variants, not {index}")
    variants.objects.link(obj)
