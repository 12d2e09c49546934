"""glTF recipes: each material recipe cut down to a node tree the glTF exporter reads in full."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .recipes import Node, Recipe

FloatArray = npt.NDArray[np.float32]

# What a texture is for, from its file name (materials/make_textures.py names them so).
COLOR, ROUGHNESS, NORMAL, GLOW = "_color.png", "_roughness.png", "_normal.png", "_glow.png"
# Nodes the exporter understands and that keep their place: UVs, tiling, the normal map, the BSDF.
KEPT_TYPES = ("ShaderNodeUVMap", "ShaderNodeMapping", "ShaderNodeNormalMap", "ShaderNodeBsdfPrincipled")


def gltf_recipe(recipe: Recipe) -> Recipe:
    """A Principled BSDF fed straight by the recipe's textures, with the same node names.

    glTF holds a base colour texture times a constant, a roughness texture, a normal map and an
    emissive texture times a constant; the position-based parts of a recipe (stains, damp
    patches) have no place there and are left out. A Mix Multiply by a constant right after the
    colour texture stays (the exporter writes it as baseColorFactor), and so does tiling (a
    Mapping node, written as KHR_texture_transform). A glowing recipe gets its glow mask as the
    emissive texture, tinted like the base colour, at the recipe's emission strength.
    """
    images = {suffix: key for key, node in recipe.nodes.items() for suffix in _suffixes(node)}
    if recipe.emission_strength <= 0:
        images.pop(GLOW, None)
    nodes = {key: node for key, node in recipe.nodes.items() if node.type in KEPT_TYPES or key in images.values()}
    nodes["output"] = Node("ShaderNodeOutputMaterial")
    links = [("bsdf.BSDF", "output.Surface"), *_texture_links(recipe, images)]
    tint = _tint(recipe, images.get(COLOR))
    if tint is not None:
        nodes[tint] = recipe.nodes[tint]
        links += [(f"{images[COLOR]}.Color", f"{tint}.A_Color"), (f"{tint}.Result_Color", "bsdf.Base Color")]
    elif COLOR in images:
        links.append((f"{images[COLOR]}.Color", "bsdf.Base Color"))
    if GLOW in images:
        nodes["bsdf"] = _with_inputs(nodes["bsdf"], {"Emission Strength": recipe.emission_strength})
        nodes["glow_tint"] = _glow_tint(recipe, tint)
        links += [(f"{images[GLOW]}.Color", "glow_tint.A_Color"), ("glow_tint.Result_Color", "bsdf.Emission Color")]
    return Recipe(recipe.name, recipe.label, recipe.version, recipe.base_color, nodes, tuple(links))


def _suffixes(node: Node) -> list[str]:
    return [suffix for suffix in (COLOR, ROUGHNESS, NORMAL, GLOW) if node.image and node.image.endswith(suffix)]


def _texture_links(recipe: Recipe, images: dict[str, str]) -> list[tuple[str, str]]:
    """UVs (through the tiling, if any) into every texture; roughness and normal into the BSDF."""
    uv, tile = _key_of(recipe, "ShaderNodeUVMap"), _key_of(recipe, "ShaderNodeMapping")
    links = []
    if uv is not None:
        vector = f"{uv}.UV"
        if tile is not None:
            links.append((vector, f"{tile}.Vector"))
            vector = f"{tile}.Vector"
        links += [(vector, f"{key}.Vector") for key in images.values()]
    if ROUGHNESS in images:
        links.append((f"{images[ROUGHNESS]}.Color", "bsdf.Roughness"))
    normal = _key_of(recipe, "ShaderNodeNormalMap")
    if NORMAL in images and normal is not None:
        links += [(f"{images[NORMAL]}.Color", f"{normal}.Color"), (f"{normal}.Normal", "bsdf.Normal")]
    return links


def _key_of(recipe: Recipe, node_type: str) -> str | None:
    return next((key for key, node in recipe.nodes.items() if node.type == node_type), None)


def _tint(recipe: Recipe, color: str | None) -> str | None:
    """The Mix Multiply (factor 1) that the colour texture feeds, if the recipe has one."""
    for source, target in recipe.links:
        key, socket = target.split(".", 1)
        node = recipe.nodes[key]
        multiply = node.type == "ShaderNodeMix" and node.props.get("blend_type") == "MULTIPLY"
        if source == f"{color}.Color" and socket == "A_Color" and multiply and node.inputs.get("Factor_Float") == 1.0:
            return key
    return None


def _glow_tint(recipe: Recipe, tint: str | None) -> Node:
    color = recipe.nodes[tint].inputs.get("B_Color", "#FFFFFF") if tint else "#FFFFFF"
    return Node(
        "ShaderNodeMix",
        props={"data_type": "RGBA", "blend_type": "MULTIPLY"},
        inputs={"Factor_Float": 1.0, "B_Color": color},
    )


def _with_inputs(node: Node, inputs: dict[str, object]) -> Node:
    return Node(node.type, dict(node.props), {**node.inputs, **inputs}, node.image, node.colorspace)


def brightened(pixels: FloatArray, gain: float) -> FloatArray:
    """sRGB-encoded RGBA pixels (n, 4) made `gain` times brighter in linear light, clipped at white.

    glTF colour factors stop at 1, so a tint brighter than its texture brightens the texture instead.
    """
    rgb = pixels[:, :3].astype(np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(linear * gain, 0.0, 1.0)
    encoded = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)
    out: FloatArray = np.column_stack([encoded, pixels[:, 3]]).astype(np.float32)
    return out
