"""Mesh upload: numpy arrays into a Blender mesh with foreach_set, no bpy.ops and no bmesh."""

from __future__ import annotations

import bpy
import numpy as np

from ..core.geometry import MeshArrays


def mesh_from_arrays(name: str, arrays: MeshArrays, materials: list[bpy.types.Material]) -> bpy.types.Mesh:
    """A new mesh holding `arrays`, with its UV map and material slots."""
    mesh = bpy.data.meshes.new(name)
    face_count = arrays.face_count
    loop_count = arrays.faces.size
    mesh.vertices.add(len(arrays.vertices))
    mesh.loops.add(loop_count)
    mesh.polygons.add(face_count)
    mesh.vertices.foreach_set("co", arrays.vertices.ravel())
    mesh.loops.foreach_set("vertex_index", arrays.faces.ravel())
    mesh.polygons.foreach_set("loop_start", np.arange(0, loop_count, 4, dtype=np.int32))
    mesh.polygons.foreach_set("material_index", arrays.material_indices)
    uv_layer = mesh.uv_layers.new(name="UVMap")
    uv_layer.data.foreach_set("uv", arrays.uvs.ravel())
    for material in materials:
        mesh.materials.append(material)
    mesh.update()
    return mesh
