"""glTF recipes: plain node trees fed by the recipes' textures, and brightened textures for bright tints."""

from __future__ import annotations

import numpy as np
import pytest

from backrooms_addon.core.gltf_recipe import brightened, gltf_recipe
from backrooms_addon.core.recipes import load_recipes

RECIPES = sorted(load_recipes())


def _inputs_of(recipe, node: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """{input socket: source 'node.socket'} of one node."""
    return {target.split(".", 1)[1]: source for source, target in recipe.links if target.split(".", 1)[0] == node}


@pytest.mark.parametrize("name", RECIPES)
def test_links_join_existing_nodes_and_end_in_the_output(name: str) -> None:
    recipe = gltf_recipe(load_recipes()[name])
    for source, target in recipe.links:
        assert source.split(".")[0] in recipe.nodes and target.split(".")[0] in recipe.nodes
    assert _inputs_of(recipe, "output") == {"Surface": "bsdf.BSDF"}
    types = {node.type for node in recipe.nodes.values()}
    assert not types & {"ShaderNodeNewGeometry", "ShaderNodeTexNoise", "ShaderNodeMapRange", "ShaderNodeMath"}, (
        "nothing position-based or computed is left"
    )


def _bsdf_inputs_reached(recipe, key: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The BSDF inputs that node `key` feeds, directly or through other nodes."""
    reached, frontier = set(), {key}
    while frontier:
        sources = frontier
        frontier = set()
        for source, target in recipe.links:
            node, socket = target.split(".", 1)
            if source.split(".")[0] in sources:
                if node == "bsdf":
                    reached.add(socket)
                else:
                    frontier.add(node)
    return reached


@pytest.mark.parametrize("name", RECIPES)
def test_every_texture_of_the_recipe_feeds_its_bsdf_input(name: str) -> None:
    original = load_recipes()[name]
    recipe = gltf_recipe(original)
    sockets = {"_color": "Base Color", "_roughness": "Roughness", "_normal": "Normal", "_glow": "Emission Color"}
    images = {key: node.image for key, node in recipe.nodes.items() if node.image}
    for key, image in images.items():
        expected = next(socket for suffix, socket in sockets.items() if image.endswith(f"{suffix}.png"))
        assert _bsdf_inputs_reached(recipe, key) == {expected}, image
    assert set(images.values()) == {node.image for node in original.nodes.values() if node.image}


def test_wallpaper_keeps_its_tint_and_tiling() -> None:
    recipe = gltf_recipe(load_recipes()["wallpaper"])
    assert _inputs_of(recipe, "bsdf")["Base Color"] == "tint.Result_Color"
    assert _inputs_of(recipe, "tint") == {"A_Color": "color.Color"}
    assert recipe.nodes["tint"].props["blend_type"] == "MULTIPLY"
    assert _inputs_of(recipe, "color") == {"Vector": "tile.Vector"}
    assert _inputs_of(recipe, "tile") == {"Vector": "uv.UV"}


def test_carpet_gets_its_roughness_texture_instead_of_the_damp_patches() -> None:
    recipe = gltf_recipe(load_recipes()["carpet"])
    assert _inputs_of(recipe, "bsdf")["Roughness"] == "roughness.Color"
    assert _inputs_of(recipe, "bsdf")["Base Color"] == "color.Color"


def test_the_lit_diffuser_glows_through_its_mask_at_the_recipe_strength() -> None:
    source = load_recipes()["fixture_diffuser"]
    recipe = gltf_recipe(source)
    assert _inputs_of(recipe, "bsdf")["Emission Color"] == "glow_tint.Result_Color"
    assert _inputs_of(recipe, "glow_tint") == {"A_Color": "glow.Color"}
    assert recipe.nodes["glow_tint"].inputs["B_Color"] == source.nodes["tint"].inputs["B_Color"]
    assert recipe.nodes["bsdf"].inputs["Emission Strength"] == source.emission_strength == 6.0
    dead = gltf_recipe(load_recipes()["fixture_dead"])
    assert "Emission Color" not in _inputs_of(dead, "bsdf")


def test_brightened_scales_linear_light_and_clips_at_white() -> None:
    grey = np.array([[0.5, 0.2, 1.0, 0.25]], np.float32)
    np.testing.assert_allclose(brightened(grey, 1.0), grey, atol=1e-6)
    linear = lambda c: np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)  # noqa: E731
    out = brightened(grey, 1.5)
    np.testing.assert_allclose(linear(out[0, :2].astype(np.float64)), 1.5 * linear(grey[0, :2]), rtol=1e-5)
    assert out[0, 2] == pytest.approx(1.0) and out[0, 3] == pytest.approx(0.25), "white clips, alpha stays"
