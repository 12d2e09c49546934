"""Mesh upload: numpy arrays into a Blender mesh through its attributes, no bpy.ops and no bmesh."""

from __future__ import annotations

from collections.abc import Sequence

import bpy
import numpy as np

from ..core.geometry import MeshArrays, quad_edges, quad_faces


def mesh_from_arrays(
    name: str, arrays: MeshArrays, materials: Sequence[bpy.types.Material | None], write_edges: bool = True
) -> bpy.types.Mesh:
    """A new mesh holding `arrays`, with its two UV maps and material slots.

    Writing the generic attributes (position, .corner_vert, UV maps as 2D corner vectors) is several
    times faster than the older per-element collections (vertices.co, loops.vertex_index, uv_layers)
    and gives the same mesh, on Blender 4.2 and 5.x alike. The edges are written too: faces own
    their vertices, so each face's four edges are its own, and mesh.update() need not find them by
    hashing every corner (which took most of the upload, on every core). write_edges=False leaves
    them to mesh.update(), as a measure of what writing them saves (benchmarks/bench_generate.py).
    """
    mesh = bpy.data.meshes.new(name)
    loop_count = arrays.faces.size
    mesh.vertices.add(len(arrays.vertices))
    mesh.loops.add(loop_count)
    mesh.polygons.add(arrays.face_count)
    attributes = mesh.attributes
    attributes["position"].data.foreach_set("vector", arrays.vertices.ravel())
    attributes[".corner_vert"].data.foreach_set("value", arrays.faces.ravel())
    if write_edges:
        mesh.edges.add(loop_count)
        attributes[".edge_verts"].data.foreach_set("value", quad_edges(arrays.faces).ravel())
        # Corner i starts edge i: the edge from its vertex to the next corner's.
        attributes[".corner_edge"].data.foreach_set("value", quad_faces(arrays.face_count).ravel())
    mesh.polygons.foreach_set("loop_start", np.arange(0, loop_count, 4, dtype=np.int32))
    attributes.new("material_index", "INT", "FACE").data.foreach_set("value", arrays.material_indices)
    attributes.new("UVMap", "FLOAT2", "CORNER").data.foreach_set("vector", arrays.uvs.ravel())
    if arrays.lightmap is not None:
        # The second UV set, for baking lightmaps: every face of the object, none overlapping.
        attributes.new("Lightmap", "FLOAT2", "CORNER").data.foreach_set("vector", arrays.lightmap.ravel())
    mesh.uv_layers.active_index = 0
    for material in materials:
        mesh.materials.append(material)
    mesh.update()
    return mesh
