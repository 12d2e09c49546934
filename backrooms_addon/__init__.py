"""The Backrooms generator package: registration here.

The layers: `core` (pure Python and numpy: specs, layouts, plans), `realize` (writes a plan into a
Blender scene and exports it), `api` (the one generate() every front end calls), and the front
ends `ui` (settings, operators, panels) and `cli` (the command line and batches).
"""

from .core.version import ADDON_VERSION, GENERATOR_VERSION

__version__ = ADDON_VERSION
__all__ = ["ADDON_VERSION", "GENERATOR_VERSION", "register", "unregister"]


_cli_handles: list[object] = []


def register() -> None:
    """Register settings, operators, panels and the `blender -c backrooms` command; Blender modules
    load only now."""
    import bpy

    from . import cli
    from .realize import camcorder
    from .ui import operators, panels, presets, props

    camcorder.install_handler()  # a saved file's camcorder look draws its frames again
    props.register()
    operators.register()
    presets.register()
    panels.register()
    if hasattr(bpy.utils, "register_cli_command"):  # Blender 4.2 and later
        _cli_handles.append(bpy.utils.register_cli_command("backrooms", cli.blender_command))


def unregister() -> None:
    """Undo register() in reverse order, leaving nothing behind."""
    import bpy

    from .core import walls_process
    from .realize import camcorder
    from .ui import operators, panels, presets, props

    walls_process.close_shared()  # the walls' process, if a build started one
    while _cli_handles:
        bpy.utils.unregister_cli_command(_cli_handles.pop())
    panels.unregister()
    presets.unregister()
    operators.unregister()
    props.unregister()
    camcorder.uninstall_handler()
