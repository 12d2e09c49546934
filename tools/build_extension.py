"""Build and validate the extension zip with the tool Blender itself uses (shipped in the bpy wheel).

The zip holds only what Blender loads: the manifest's [build] `paths` list names every file, so
nothing else lying in the checkout (generated levels, renders, scratch files) is packed. The build
refuses to run when that list and the files on disk disagree; `--update-paths` rewrites it.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "blender_manifest.toml"
# What the extension loads (and its licence), as globs from the root; the manifest is implicit.
SHIPPED = (
    "__init__.py",
    "LICENSE",
    "backrooms_addon/**/*.py",
    "materials/*.json",
    "materials/levels/*.json",
    "materials/textures/*.png",
    "blend_templates/*.blend",
)


def blender_tools(scripts: Path | None = None) -> tuple[Path, Path]:
    """Paths of blender_ext.py and Blender's list of valid tags, from Blender's scripts folder
    (by default the one inside the installed bpy package)."""
    if scripts is None:
        spec = importlib.util.find_spec("bpy")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit("error: the bpy module is not installed (run tools/setup.sh)")
        package = Path(next(iter(spec.submodule_search_locations)))
        scripts = next(package.glob("*/scripts"))
    return (
        scripts / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py",
        scripts / "modules" / "_bpy_internal" / "extensions" / "tags.py",
    )


def manifest(source: Path = ROOT) -> dict[str, object]:
    with open(source / MANIFEST, "rb") as handle:
        return tomllib.load(handle)


def shipped_paths(source: Path = ROOT) -> list[str]:
    """The files the zip must hold, from SHIPPED, relative to `source` with "/" slashes."""
    found = {
        path.relative_to(source).as_posix()
        for pattern in SHIPPED
        for path in source.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    return sorted(found)


def manifest_paths(source: Path = ROOT) -> list[str]:
    build = manifest(source).get("build", {})
    paths = build.get("paths", []) if isinstance(build, dict) else []
    return [str(path) for path in paths]


def check_paths(source: Path = ROOT) -> None:
    """Fail when the manifest's [build] paths miss a file the extension loads, or name a lost one."""
    listed, wanted = set(manifest_paths(source)), set(shipped_paths(source))
    if listed != wanted:
        raise SystemExit(
            f"error: {MANIFEST}'s [build] paths are out of date (missing: {sorted(wanted - listed)}, "
            f"gone: {sorted(listed - wanted)}); run tools/build_extension.py --update-paths"
        )


def update_paths(source: Path = ROOT) -> None:
    """Rewrite the manifest's [build] paths list from the files on disk."""
    path = source / MANIFEST
    lines = "".join(f'  "{name}",\n' for name in shipped_paths(source))
    text, count = re.subn(r"(?ms)^paths = \[\n.*?^\]\n", lambda _: f"paths = [\n{lines}]\n", path.read_text())
    if count != 1:
        raise SystemExit(f"error: no `paths = [` list in the [build] section of {path}")
    path.write_text(text)


def build(output_dir: Path, scripts: Path | None = None, source: Path = ROOT) -> Path:
    """Check the paths, validate the source, build the zip, validate the zip; returns the zip's path."""
    check_paths(source)
    ext_tool, tags = blender_tools(scripts)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"backrooms-{manifest(source)['version']}.zip"
    target.unlink(missing_ok=True)
    run = [sys.executable, str(ext_tool)]
    subprocess.run([*run, "validate", "--valid-tags", str(tags), str(source)], check=True)
    subprocess.run(
        [*run, "build", "--source-dir", str(source), "--output-filepath", str(target), "--valid-tags", str(tags)],
        check=True,
    )
    subprocess.run([*run, "validate", "--valid-tags", str(tags), str(target)], check=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "dist", help="folder for the zip (default: dist/)")
    parser.add_argument("--blender-scripts", type=Path, help="Blender's scripts folder (default: the bpy module's)")
    parser.add_argument("--source-dir", type=Path, default=ROOT, help="the extension's folder (default: this checkout)")
    parser.add_argument("--update-paths", action="store_true", help=f"rewrite {MANIFEST}'s [build] paths, then stop")
    args = parser.parse_args()
    if args.update_paths:
        update_paths(args.source_dir)
        return 0
    print(build(args.output_dir, args.blender_scripts, args.source_dir.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
