"""Install the extension zip into a clean profile, generate a level, then uninstall; report as JSON.

Runs in its own Blender process (the bpy wheel's Python, or `blender --background --python`),
with BLENDER_USER_RESOURCES pointing at an empty folder. Usage: install_zip.py ZIP REPORT.json
"""

import json
import sys
from pathlib import Path

import bpy

import addon_utils  # isort: skip  (Blender's module, importable once bpy is)

MODULE = "bl_ext.user_default.backrooms"
args = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else sys.argv[1:]
zip_path, report_path = Path(args[0]), Path(args[1])
report: dict = {}
repos = bpy.context.preferences.extensions.repos
repo_index = [repo.module for repo in repos].index("user_default")
repo_dir = Path(repos[repo_index].directory)
report["profile_had_backrooms"] = (repo_dir / "backrooms").exists()
report["install"] = sorted(
    bpy.ops.extensions.package_install_files(filepath=str(zip_path), repo="user_default", enable_on_install=True)
)
report["enabled"] = MODULE in bpy.context.preferences.addons
report["installed_files"] = sorted(
    str(p.relative_to(repo_dir / "backrooms"))
    for p in (repo_dir / "backrooms").rglob("*")
    if p.is_file() and "__pycache__" not in p.parts
)
bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
report["generate"] = sorted(bpy.ops.backrooms.generate(seed=3, width=8, depth=8))
report["level_objects"] = sorted(obj.name for obj in bpy.data.objects if "backrooms_level" in obj)
report["panel_category"] = bpy.types.BACKROOMS_PT_level.bl_category
addon_utils.disable(MODULE, default_set=True)
report["operator_after_disable"] = hasattr(bpy.types, "BACKROOMS_OT_generate")
report["uninstall"] = sorted(bpy.ops.extensions.package_uninstall(repo_index=repo_index, pkg_id="backrooms"))
report["left_after_uninstall"] = (repo_dir / "backrooms").exists()
report_path.write_text(json.dumps(report, indent=1))
