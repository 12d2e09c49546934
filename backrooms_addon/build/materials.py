"""Materials in Blender: built from the recipes once per file and reused by name and version."""

from __future__ import annotations

import bpy

from ..core.recipes import Recipe, load_recipes

RECIPE_KEY = "backrooms_recipe"
RECIPE_VERSION_KEY = "backrooms_recipe_version"


def ensure_material(name: str) -> bpy.types.Material:
    """The material for recipe `name`: the existing one at this recipe version, or a new one."""
    recipe = load_recipes()[name]
    for material in bpy.data.materials:
        if material.get(RECIPE_KEY) == name and material.get(RECIPE_VERSION_KEY) == recipe.version:
            return material
    return _build_material(recipe)


def _build_material(recipe: Recipe) -> bpy.types.Material:
    material = bpy.data.materials.new(recipe.label)
    material[RECIPE_KEY] = recipe.name
    material[RECIPE_VERSION_KEY] = recipe.version
    if material.node_tree is None:  # Blender 4.x; from 5.0 every material has its node tree
        material.use_nodes = True
    bsdf = next(node for node in material.node_tree.nodes if node.type == "BSDF_PRINCIPLED")
    bsdf.inputs["Base Color"].default_value = recipe.linear_color(recipe.base_color)
    bsdf.inputs["Roughness"].default_value = recipe.roughness
    if recipe.emission is not None:
        bsdf.inputs["Emission Color"].default_value = recipe.linear_color(recipe.emission)
        bsdf.inputs["Emission Strength"].default_value = recipe.emission_strength
    # The viewport's solid mode shows this colour, so the level reads right before a render.
    material.diffuse_color = recipe.linear_color(recipe.emission or recipe.base_color)
    return material
