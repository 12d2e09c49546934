"""The pure core: spec, randomness, layout and geometry, with numpy only and no Blender."""

from . import kits  # noqa: F401  (registers the levels that come as kits)
from .errors import BackroomsError, InvalidSpecError
from .plan import LevelPlan, plan_level
from .spec import LevelSpec
from .version import ADDON_VERSION, GENERATOR_VERSION

__all__ = [
    "ADDON_VERSION",
    "GENERATOR_VERSION",
    "BackroomsError",
    "InvalidSpecError",
    "LevelPlan",
    "LevelSpec",
    "plan_level",
]
