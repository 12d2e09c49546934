"""Build blend_templates/furniture.blend: Level 4's furniture models, marked as assets.

Run with the oldest supported Blender, so that every newer one reads the file, from the
repository root: `.venv-4.2/bin/python blend_templates/make_furniture.py`. The models come from
backrooms_addon/core/furniture.py (MODELS), so the file can be rebuilt and reviewed; the add-on
appends the ones a level needs with bpy.data.libraries.load, and they also show in the Asset
Browser. Each material slot holds a plain material named after its recipe (FURNITURE_MATERIALS) in
the recipe's base colour: a level puts its own textured materials in those slots, and the file
stays small without the textures packed in.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "blend_templates" / "furniture.blend"

from asset_file import add_asset, save  # noqa: E402  (beside this script)

DESCRIPTIONS = {
    "desk pair": "Two office desks face to face across a fabric partition, a chair at each",
    "desk": "An office desk against a fabric partition, its chair pulled out",
    "meeting table": "A meeting table with three chairs along each side",
    "cabinets": "Two four-drawer filing cabinets, backs to the wall",
    "water cooler": "A water cooler with its bottle upside down on top",
    "fallen tile": "A ceiling tile fallen to the floor, propped on a broken corner",
}


def main() -> int:
    import bpy

    from backrooms_addon.core.furniture import FURNITURE_MATERIALS, MODELS
    from backrooms_addon.realize.mesh import mesh_from_arrays

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    materials = [slot_material(name) for name in FURNITURE_MATERIALS]
    for name, make in MODELS.items():
        description = f"{DESCRIPTIONS[name]}; made for cells of 3 m, its back to +y"
        add_asset(name, mesh_from_arrays(name, make(), materials), description, ("Backrooms", "Level 4", "furniture"))
    save(OUT)
    return 0


def slot_material(name: str) -> object:
    """A plain material named `name` in its recipe's base colour, in the viewport too."""
    import bpy

    from backrooms_addon.core.recipes import linear_color, load_recipes
    from backrooms_addon.realize.materials import RECIPE_KEY

    color = linear_color(load_recipes()[name].base_color)
    material = bpy.data.materials.new(name)
    material.diffuse_color = color
    material.use_nodes = True
    material.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = color
    material[RECIPE_KEY] = name
    return material


if __name__ == "__main__":
    sys.exit(main())
