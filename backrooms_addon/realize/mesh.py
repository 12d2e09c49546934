"""Mesh upload: numpy arrays into a Blender mesh through its attributes, no bpy.ops and no bmesh."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

import bpy

from ..core.geometry import MeshArrays, quad_edges, quad_faces, quad_loop_starts

Attribute = tuple[str, str, str]  # name, data type, domain: what mesh.attributes.new takes
QUAD_ATTRIBUTES: tuple[Attribute, ...] = (("material_index", "INT", "FACE"), ("UVMap", "FLOAT2", "CORNER"))
LIGHTMAP: Attribute = ("Lightmap", "FLOAT2", "CORNER")  # the second UV set, for baking lightmaps
# Blender keeps each kind's data-blocks sorted by name and puts a new one in place by walking
# back from the list's end, 512 at a time, then comparing it with those one by one: a copy named
# after the template ("~...001") sorts after every usual name, so those comparisons end at the
# first letter (benchmarks/bench_ids.py). It is renamed at once; the template goes when the build ends.
TEMPLATE_NAME = "~Backrooms mesh template"


class MeshTemplates:
    """Empty meshes with the attributes and material slots of the meshes a build makes, one per
    kind of mesh: each new mesh is a copy of one, renamed, then filled.

    Adding attributes and material slots to every mesh costs more than their number suggests:
    each call leaves a notifier in the window manager's queue, which only Blender's event loop
    empties (a background Blender, a batch, never does, and removing a data-block scans the whole
    queue: a big level's regeneration went quadratic), and each material slot rescans every object
    in the file. A copy has them at once. What is left (the rename on Blender 4.2, linking each
    object) still queues one notifier per mesh or object: far fewer. Used as a context manager, the
    templates are removed when the build is done; nothing else is left in the file.
    """

    def __init__(self) -> None:
        self._made: dict[tuple[object, ...], bpy.types.Mesh] = {}

    def empty(
        self, name: str, attributes: tuple[Attribute, ...], materials: Sequence[bpy.types.Material | None] = ()
    ) -> bpy.types.Mesh:
        """A new empty mesh called `name` with these attributes and material slots."""
        key = (attributes, tuple(None if material is None else material.name_full for material in materials))
        template = self._made.get(key)
        if template is None:
            template = self._made[key] = _prepared(bpy.data.meshes.new(TEMPLATE_NAME), attributes, materials)
        mesh: bpy.types.Mesh = template.copy()
        renamed(mesh, name)
        return mesh

    def remove(self) -> None:
        """Remove the templates made (those still there)."""
        made = [template for template in self._made.values() if _still_there(template)]
        self._made.clear()
        if made:
            bpy.data.batch_remove(made)

    def __enter__(self) -> MeshTemplates:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.remove()


def renamed(block: bpy.types.ID, name: str) -> None:
    """Name a data-block: ID.rename (Blender 5.0 has it, 4.2 not) names it as setting the name
    does, without a notifier."""
    rename = getattr(block, "rename", None)
    if rename is not None:
        rename(name)
    else:
        block.name = name


def empty_mesh(
    name: str,
    attributes: tuple[Attribute, ...],
    materials: Sequence[bpy.types.Material | None] = (),
    templates: MeshTemplates | None = None,
) -> bpy.types.Mesh:
    """A new empty mesh with these attributes and material slots: copied from `templates`, or
    made on its own (for a few meshes, where templates would not pay)."""
    if templates is not None:
        return templates.empty(name, attributes, materials)
    return _prepared(bpy.data.meshes.new(name), attributes, materials)


def _prepared(
    mesh: bpy.types.Mesh, attributes: tuple[Attribute, ...], materials: Sequence[bpy.types.Material | None]
) -> bpy.types.Mesh:
    for name, data_type, domain in attributes:
        mesh.attributes.new(name, data_type, domain)
    if len(mesh.uv_layers):
        mesh.uv_layers.active_index = 0
    for material in materials:
        mesh.materials.append(material)
    return mesh


def _still_there(block: bpy.types.ID) -> bool:
    try:
        block.name  # noqa: B018 - a removed data-block raises here
    except ReferenceError:
        return False
    return True


def mesh_from_arrays(
    name: str,
    arrays: MeshArrays,
    materials: Sequence[bpy.types.Material | None],
    write_edges: bool = True,
    templates: MeshTemplates | None = None,
) -> bpy.types.Mesh:
    """A new mesh holding `arrays`, with its two UV maps and material slots (copied from
    `templates` when given: see MeshTemplates).

    Writing the generic attributes (position, .corner_vert, UV maps as 2D corner vectors) is several
    times faster than the older per-element collections (vertices.co, loops.vertex_index, uv_layers)
    and gives the same mesh, on Blender 4.2 and 5.x alike. The edges are written too: faces own
    their vertices, so each face's four edges are its own, and mesh.update() need not find them by
    hashing every corner (which took most of the upload, on every core); with nothing left for it
    to do on a new mesh but queue a notifier, it is not called. write_edges=False leaves the edges
    to mesh.update(), as a measure of what writing them saves (benchmarks/bench_generate.py).
    """
    attributes = QUAD_ATTRIBUTES + ((LIGHTMAP,) if arrays.lightmap is not None else ())
    mesh = empty_mesh(name, attributes, materials, templates)
    loop_count = arrays.faces.size
    mesh.vertices.add(len(arrays.vertices))
    mesh.loops.add(loop_count)
    mesh.polygons.add(arrays.face_count)
    data = mesh.attributes
    data["position"].data.foreach_set("vector", arrays.vertices.ravel())
    data[".corner_vert"].data.foreach_set("value", arrays.faces.ravel())
    mesh.polygons.foreach_set("loop_start", quad_loop_starts(arrays.face_count))
    data["material_index"].data.foreach_set("value", arrays.material_indices)
    data["UVMap"].data.foreach_set("vector", arrays.uvs.ravel())
    if arrays.lightmap is not None:  # every face of the object, none overlapping
        data[LIGHTMAP[0]].data.foreach_set("vector", arrays.lightmap.ravel())
    if write_edges:
        mesh.edges.add(loop_count)
        data[".edge_verts"].data.foreach_set("value", quad_edges(arrays.faces).ravel())
        # Corner i starts edge i: the edge from its vertex to the next corner's.
        data[".corner_edge"].data.foreach_set("value", quad_faces(arrays.face_count).ravel())
    else:
        mesh.update()
    return mesh
