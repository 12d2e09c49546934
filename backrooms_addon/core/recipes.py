"""Material recipes: reads and checks the node trees in materials/recipes.json (Level 0) and in
materials/levels/*.json (one file per level style)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import BackroomsError

MATERIALS_DIR = Path(__file__).resolve().parents[2] / "materials"
RECIPES_PATH = MATERIALS_DIR / "recipes.json"
TEXTURES_DIR = MATERIALS_DIR / "textures"
LEVEL_RECIPES_DIR = MATERIALS_DIR / "levels"
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
NORMAL_MAP = "ShaderNodeNormalMap"
# How a recipe's normal map finds its tangent frame: from the UV map (the renderer computes
# tangents), or from the axes its faces are aligned with (core/axis_normals.py).
UV, AXES = "uv", "axes"
FRAME_NODE = "frame"  # the node that frames a recipe's normal map by the axes


@dataclass(frozen=True)
class Node:
    """One node of a recipe: its Blender type, properties, input values and image."""

    type: str
    props: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    image: str | None = None
    colorspace: str = "sRGB"
    group: NodeGroup | None = None  # the group a ShaderNodeGroup node holds


@dataclass(frozen=True)
class NodeGroup:
    """A shader node group the add-on makes: its sockets (name, socket type), its nodes and links
    (the group's own input and output are nodes "inputs" and "outputs" of type NodeGroupInput and
    NodeGroupOutput), and a version, as a recipe's."""

    name: str
    label: str
    version: int
    description: str
    inputs: tuple[tuple[str, str], ...]
    outputs: tuple[tuple[str, str], ...]
    nodes: dict[str, Node]
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Recipe:
    """One material: its node tree, the recipe file's version, and the viewport colour."""

    name: str
    label: str
    version: int
    base_color: str
    nodes: dict[str, Node]
    links: tuple[tuple[str, str], ...]
    emission_strength: float = 0.0
    normal_frame: str = UV

    def images(self) -> list[Path]:
        return [TEXTURES_DIR / node.image for node in self.nodes.values() if node.image]


def linear_color(hex_color: str) -> tuple[float, float, float, float]:
    """An sRGB hex colour as linear RGBA, which is what shader sockets take."""
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return (linear[0], linear[1], linear[2], 1.0)


def is_color(value: object) -> bool:
    return isinstance(value, str) and bool(_HEX.match(value))


@lru_cache(maxsize=1)
def load_recipes(path: Path = RECIPES_PATH) -> dict[str, Recipe]:
    """All recipes by name, checked so that a typo fails loudly instead of rendering grey: those of
    `path` and, for the default file, those of every level style."""
    files = [path, *sorted(LEVEL_RECIPES_DIR.glob("*.json"))] if path == RECIPES_PATH else [path]
    recipes: dict[str, Recipe] = {}
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        version = int(data["recipe_version"])
        for name, entry in data["materials"].items():
            if name in recipes:
                raise BackroomsError(f"material recipe {name!r} is defined twice ({file.name})")
            recipes[name] = _recipe(name, version, entry)
    return recipes


def _recipe(name: str, version: int, entry: dict[str, Any]) -> Recipe:
    nodes = {key: Node(**value) for key, value in entry["nodes"].items()}
    links = tuple((str(a), str(b)) for a, b in entry["links"])
    recipe = Recipe(
        name=name,
        label=entry["label"],
        version=version,
        base_color=entry["base_color"],
        nodes=nodes,
        links=links,
        emission_strength=float(entry.get("emission_strength", 0.0)),
        normal_frame=str(entry.get("normal_frame", UV)),
    )
    problems = _problems(recipe)
    if problems:
        raise BackroomsError(f"material recipe {name!r}: " + "; ".join(problems))
    return recipe


def _problems(recipe: Recipe) -> list[str]:
    problems = []
    if not is_color(recipe.base_color):
        problems.append(f"base_color {recipe.base_color!r} is not #RRGGBB")
    for a, b in recipe.links:
        for end in (a, b):
            node = end.split(".", 1)[0]
            if "." not in end or node not in recipe.nodes:
                problems.append(f"link end {end!r} names no node")
    for path in recipe.images():
        if not path.is_file():
            problems.append(f"texture {path.name} is missing")
    if not any(node.type == "ShaderNodeOutputMaterial" for node in recipe.nodes.values()):
        problems.append("no material output node")
    return problems + _frame_problems(recipe)


def normal_maps(recipe: Recipe) -> tuple[list[str], list[str]]:
    """The recipe's Normal Map nodes, and the outputs linked into the first one's colour."""
    maps = [key for key, node in recipe.nodes.items() if node.type == NORMAL_MAP]
    fed = [source for source, target in recipe.links if maps and target == f"{maps[0]}.Color"]
    return maps, fed


def _frame_problems(recipe: Recipe) -> list[str]:
    if recipe.normal_frame not in (UV, AXES):
        return [f"normal_frame {recipe.normal_frame!r} is not {UV!r} or {AXES!r}"]
    if recipe.normal_frame == UV:
        return []
    maps, fed = normal_maps(recipe)
    if len(maps) != 1:
        return [f"normal_frame {AXES!r} needs exactly one normal map node, has {len(maps)}"]
    problems = []
    if len(fed) != 1:
        problems.append(f"normal_frame {AXES!r} needs one link into {maps[0]}.Color, has {len(fed)}")
    if FRAME_NODE in recipe.nodes:
        problems.append(f"node name {FRAME_NODE!r} is kept for the normal frame")
    return problems


@dataclass(frozen=True)
class Look:
    """A level's material settings: the wallpaper's tint, how worn (stained) it is, how damp the carpet."""

    wallpaper_tint: str = "#CDB85E"
    wear: float = 0.5
    dampness: float = 0.5

    def key(self) -> str:
        return f"{self.wallpaper_tint.upper()}/{self.wear:.3f}/{self.dampness:.3f}"

    def inputs(self, material: str, base_color: str) -> dict[tuple[str, str], Any]:
        """Node input values this look sets in a material's tree: {(node, socket): value}."""
        if material == "wallpaper":
            tint = linear_color(self.wallpaper_tint)
            base = linear_color(base_color)
            # Multiplying the texture by tint / base moves its average colour to the tint.
            ratio = tuple(min(t / max(b, 1e-4), 4.0) for t, b in zip(tint[:3], base[:3], strict=True))
            low = 0.8 - 0.5 * self.wear  # more wear: the stain noise passes its threshold more often
            return {
                ("tint", "B_Color"): (*ratio, 1.0),
                ("stain_shape", "From Min"): low,
                ("stain_shape", "From Max"): low + 0.3,
            }
        if material in ("carpet", "concrete_floor"):  # damp carpet; puddles on concrete
            low = 0.72 - 0.3 * self.dampness
            return {("damp", "From Min"): low, ("damp", "From Max"): low + 0.12}
        return {}
