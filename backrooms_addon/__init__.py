"""The Backrooms generator package: registration here, pure logic in core, Blender work in build."""

from .core.version import ADDON_VERSION, GENERATOR_VERSION

__version__ = ADDON_VERSION
__all__ = ["ADDON_VERSION", "GENERATOR_VERSION", "register", "unregister"]


def register() -> None:
    """Register settings, operators and panels; Blender modules load only now."""
    from . import operators, panels, presets, props

    props.register()
    operators.register()
    presets.register()
    panels.register()


def unregister() -> None:
    """Undo register() in reverse order, leaving nothing behind."""
    from . import operators, panels, presets, props

    panels.unregister()
    presets.unregister()
    operators.unregister()
    props.unregister()
