"""Blender test support: bpy in-process, a throw-away user profile, the extension enabled as Blender does.

With the bpy wheel (the default), user resources go to a temporary folder before bpy is imported.
Under pytest-blender (`pytest --blender-executable PATH`), Blender is already running; the same
fixtures then register the source tree as a local extension repository in that Blender.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from paths import ROOT

REPO_MODULE = "backrooms_dev"
ADDON_MODULE = f"bl_ext.{REPO_MODULE}.backrooms"

if "bpy" not in sys.modules:
    os.environ["BLENDER_USER_RESOURCES"] = tempfile.mkdtemp(prefix="backrooms-profile-")

# isort: off
import bpy  # noqa: E402
import addon_utils  # noqa: E402  (Blender's own module: importable only once bpy is)

# isort: on

RUNNING_INSIDE_BLENDER = bool(bpy.app.binary_path)


def register_source_repository() -> bpy.types.UserExtensionRepo:
    """The source tree as a local extension repository: <tmp>/backrooms -> repository root."""
    directory = Path(tempfile.mkdtemp(prefix="backrooms-repo-"))
    (directory / "backrooms").symlink_to(ROOT, target_is_directory=True)
    repos = bpy.context.preferences.extensions.repos
    return repos.new(name="Backrooms Dev", module=REPO_MODULE, custom_directory=str(directory), source="USER")


def enable_extension() -> ModuleType:
    module = addon_utils.enable(ADDON_MODULE, default_set=True, handle_error=_raise)
    assert module is not None, f"{ADDON_MODULE} did not enable"
    return module


def disable_extension() -> None:
    addon_utils.disable(ADDON_MODULE, default_set=True, handle_error=_raise)


def _raise(error: BaseException) -> None:
    raise error


def blender_command(script: Path, *args: str) -> list[str]:
    """Run a Python script in Blender: the bpy wheel's Python, or the Blender executable."""
    if RUNNING_INSIDE_BLENDER:
        return [bpy.app.binary_path, "--background", "--factory-startup", "--python", str(script), "--", *args]
    return [sys.executable, str(script), *args]
