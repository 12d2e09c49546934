"""Material recipes: reads and checks the declarative descriptions in materials/recipes.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import BackroomsError

RECIPES_PATH = Path(__file__).resolve().parents[2] / "materials" / "recipes.json"
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Recipe:
    """One material: colours in sRGB hex, scalar settings, and the recipe file's version."""

    name: str
    label: str
    version: int
    base_color: str
    roughness: float
    emission: str | None = None
    emission_strength: float = 0.0

    def linear_color(self, hex_color: str) -> tuple[float, float, float, float]:
        """An sRGB hex colour as linear RGBA, which is what shader sockets take."""
        channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return (linear[0], linear[1], linear[2], 1.0)


@lru_cache(maxsize=1)
def load_recipes(path: Path = RECIPES_PATH) -> dict[str, Recipe]:
    """All recipes by name, checked so a typo fails loudly instead of rendering grey."""
    data = json.loads(path.read_text(encoding="utf-8"))
    version = int(data["recipe_version"])
    recipes = {}
    for name, entry in data["materials"].items():
        recipe = Recipe(name=name, version=version, **entry)
        for colour in (recipe.base_color, recipe.emission):
            if colour is not None and not _HEX.match(colour):
                raise BackroomsError(f"material recipe {name!r}: colour {colour!r} is not #RRGGBB")
        recipes[name] = recipe
    return recipes
