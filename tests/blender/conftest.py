"""Fixtures for the Blender tests; the harness itself is in tests/blender_support.py."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import bpy
import pytest
from blender_support import (
    ADDON_MODULE,
    RUNNING_INSIDE_BLENDER,
    disable_extension,
    enable_extension,
    register_source_repository,
)


@pytest.fixture(scope="session")
def extension() -> Iterator[ModuleType]:
    """The extension module `bl_ext.backrooms_dev.backrooms`, enabled for the whole session."""
    repo = register_source_repository()
    module = enable_extension()
    yield module
    if ADDON_MODULE in bpy.context.preferences.addons:
        disable_extension()
    if RUNNING_INSIDE_BLENDER:
        # A real Blender may save its preferences on exit: leave no dangling repository there.
        # The bpy wheel's profile is a temporary folder, and removing the repository there made
        # the 4.2 module crash at interpreter exit (after the tests, but with a failing status).
        bpy.context.preferences.extensions.repos.remove(repo)


@pytest.fixture
def addon(extension: ModuleType) -> ModuleType:
    """The extension's backrooms_addon package, as Blender imported it."""
    return importlib.import_module(f"{ADDON_MODULE}.backrooms_addon")


@pytest.fixture
def api(addon: ModuleType) -> ModuleType:
    """The Python API module of the enabled extension."""
    return importlib.import_module(f"{addon.__name__}.api")


@pytest.fixture
def scene(extension: ModuleType) -> bpy.types.Scene:
    """An empty scene from factory startup; preferences, and so the extension, stay as they are."""
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    assert ADDON_MODULE in bpy.context.preferences.addons
    return bpy.context.scene
