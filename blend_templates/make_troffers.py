"""Build blend_templates/troffers.blend: the troffer models, marked as assets.

Run with the oldest supported Blender, so that every newer one reads the file, from the
repository root: `.venv-4.2/bin/python blend_templates/make_troffers.py`. The models come from
backrooms_addon/core/troffer.py, so the file can be rebuilt and reviewed; the add-on appends
them with bpy.data.libraries.load, and they also show in the Asset Browser.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "blend_templates" / "troffers.blend"

from asset_file import add_asset, save  # noqa: E402  (beside this script)


def main() -> int:
    import bpy

    from backrooms_addon.core.troffer import TEMPLATE_MATERIALS, TEMPLATES, template
    from backrooms_addon.realize.materials import ensure_material
    from backrooms_addon.realize.mesh import mesh_from_arrays

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    for name, (size_x, size_y) in TEMPLATES.items():
        arrays = template(name)
        mesh = mesh_from_arrays(name, arrays, [ensure_material(m) for m in TEMPLATE_MATERIALS])
        kind = "Caged bulkhead lamp" if name.startswith("Bulkhead") else "Recessed fluorescent troffer"
        description = f"{kind}, {size_x:g} x {size_y:g} m, prismatic diffuser"
        add_asset(name, mesh, description, ("Backrooms", "light", "fixture"))
    save(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
