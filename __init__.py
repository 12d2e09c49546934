"""Blender extension entry point: forwards registration to the backrooms_addon package."""


def register() -> None:
    from .backrooms_addon import register as register_package

    register_package()


def unregister() -> None:
    from .backrooms_addon import unregister as unregister_package

    unregister_package()
