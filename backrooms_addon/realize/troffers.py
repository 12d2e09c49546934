"""Troffer models from blend_templates/troffers.blend, appended and read back as arrays."""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np

from ..core.geometry import MeshArrays
from ..core.troffer import TEMPLATE_MATERIALS

TEMPLATE_FILE = Path(__file__).resolve().parents[2] / "blend_templates" / "troffers.blend"


def load_troffer(name: str) -> MeshArrays:
    """The named troffer model as arrays, appended from the template file and then let go.

    Only the geometry is kept: the level's own materials (one set per file) replace the template's,
    so appending never leaves duplicate materials or meshes behind.
    """
    before = {kind: set(getattr(bpy.data, kind)) for kind in ("meshes", "materials", "images")}
    with bpy.data.libraries.load(str(TEMPLATE_FILE), link=False) as (source, target):
        if name not in source.meshes:
            raise FileNotFoundError(f"{TEMPLATE_FILE.name} has no mesh {name!r}")
        target.meshes = [name]
    mesh = target.meshes[0]
    try:
        return _arrays(mesh)
    finally:
        for kind, known in before.items():
            blocks = getattr(bpy.data, kind)
            for block in [b for b in blocks if b not in known]:
                blocks.remove(block)


def _arrays(mesh: bpy.types.Mesh) -> MeshArrays:
    attributes = mesh.attributes
    positions = np.empty(len(mesh.vertices) * 3, np.float32)
    attributes["position"].data.foreach_get("vector", positions)
    corners = np.empty(len(mesh.loops), np.int32)
    attributes[".corner_vert"].data.foreach_get("value", corners)
    sizes = np.empty(len(mesh.polygons), np.int32)
    mesh.polygons.foreach_get("loop_total", sizes)
    if not (sizes == 4).all():
        raise ValueError(f"troffer model {mesh.name!r} must be made of quads")
    uvs = np.empty(len(mesh.loops) * 2, np.float32)
    attributes["UVMap"].data.foreach_get("vector", uvs)
    materials = np.empty(len(mesh.polygons), np.int32)
    mesh.polygons.foreach_get("material_index", materials)
    count = len(mesh.polygons)
    return MeshArrays(
        vertices=positions.reshape(-1, 3)[corners],
        faces=np.arange(4 * count, dtype=np.int32).reshape(count, 4),
        uvs=uvs.reshape(-1, 2),
        material_indices=materials,
        materials=TEMPLATE_MATERIALS,
        pieces=np.zeros(count, np.int32),
    )
