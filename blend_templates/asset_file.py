"""What the scripts that build blend_templates/*.blend share: a model marked as an asset, and the file saved."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any


def add_asset(name: str, mesh: Any, description: str, tags: Iterable[str]) -> Any:
    """An object of `mesh` in the scene, marked as an asset with `description` and `tags`."""
    import bpy

    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.asset_mark()
    obj.asset_data.description = description
    for tag in tags:
        obj.asset_data.tags.new(tag)
    return obj


def save(out: Path) -> None:
    """Save the file (compressed) to `out` and say how big it is."""
    import bpy

    bpy.ops.wm.save_as_mainfile(filepath=str(out), compress=True)
    print(out, f"{out.stat().st_size // 1024} KiB")
