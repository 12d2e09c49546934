"""What the first level in a file builds once (its materials, their images, the hum), kept on disk
in a .blend between Blender runs and appended from it: one append is several times cheaper than
building node trees, packing images and loading a sound. Also the arrays read from the template
models (blend_templates/), kept as arrays: loading them costs a tenth of appending the model.

A cache file holds one set of materials made for one look (and the hum, when asked for), named by
a key of everything they are made from: the Blender version, this package's code, the recipes and
the textures. Anything else is never read: a stale, foreign or broken file is only a miss, and a
miss builds as before and writes the file anew (to a temporary name, then renamed: two Blender
processes sharing the folder never read half a file). BACKROOMS_CACHE_DIR names the folder
(empty: no cache); by default it is the extension's user folder, or ~/.cache/backrooms_addon.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

import bpy
import numpy as np
import numpy.typing as npt

from ..core.recipes import MATERIALS_DIR, Look
from .materials import RECIPE_KEY, RECIPE_VERSION_KEY

CACHE_ENV = "BACKROOMS_CACHE_DIR"
# A cache file's name, and a temporary one's while it is written (left behind if Blender stopped).
CACHE_NAME = re.compile(r"[0-9a-f]{16}-([0-9a-f]{16}|[A-Za-z0-9_]+\.partial)\.(blend|arrays)")
CACHE_FORMAT = 1  # what a cache file holds and how it is named
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def cache_dir() -> Path | None:
    """The folder cache files go in (made when missing), or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) / bpy.app.version_string if chosen else None
    extension = _extension_package()
    if extension is not None:
        base = Path(bpy.utils.extension_path_user(extension, path="cache", create=True))
    else:  # imported as a plain package (the bpy module, a script), not as an extension
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "backrooms_addon"
    return base / bpy.app.version_string


def _extension_package() -> str | None:
    """The extension's package (bl_ext.<repository>.<id>), or None when imported otherwise."""
    parts = (__package__ or "").split(".")  # [bl_ext, repository, id, backrooms_addon, realize]
    return ".".join(parts[:-2]) if parts[0] == "bl_ext" and len(parts) > 3 else None


@lru_cache(maxsize=1)
def source_key() -> str:
    """A digest of what the cached blocks are made from: the Blender version and the names, sizes
    and times of this package's code, the recipes and the textures (as Python's own bytecode
    cache tells a changed source: reading every file would cost more than the cache saves)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {bpy.app.version_string}".encode())
    for folder, suffixes in ((PACKAGE_DIR, (".py",)), (MATERIALS_DIR, (".json", ".png"))):
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(file for file in files if file.endswith(suffixes)):
                stat = os.stat(os.path.join(root, name))
                digest.update(f"{root} {name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def cache_file(names: Sequence[str], look: Look, hum: bool) -> Path | None:
    """The cache file for these materials in this look (and the hum); None with caching off or
    when the cache folder cannot be had (no home folder, a read-only profile)."""
    # The look's exact values (its key() rounds them), as the materials are made from them.
    return _cache_path(f"{sorted(names)} {look.wallpaper_tint.upper()} {look.wear!r} {look.dampness!r} {hum}", ".blend")


def _cache_path(made_from: str, suffix: str) -> Path | None:
    """The cache file of what is made from `made_from` (and this source), or None (cache_file)."""
    try:
        folder = cache_dir()
    except (OSError, RuntimeError):
        return None
    if folder is None:
        return None
    return folder / f"{source_key()}-{hashlib.sha256(made_from.encode()).hexdigest()[:16]}{suffix}"


@contextmanager
def appending(path: Path) -> Iterator[tuple[Any, Any]]:
    """bpy.data.libraries.load(path) to append from: the library it leaves in the file (Blender 5.0
    keeps one, though nothing is linked from it) is removed afterwards, unless the file had it."""
    libraries = set(bpy.data.libraries)
    try:
        with bpy.data.libraries.load(str(path), link=False) as (source, target):
            yield source, target
    finally:
        left = [library for library in bpy.data.libraries if library not in libraries]
        if left:
            bpy.data.batch_remove(left)


def append_cached(path: Path, hum: bool) -> bool:
    """Append every material (and the hum) that `path` holds; False, with nothing appended, when
    it is missing or unreadable. Appended images and node groups the file already has are
    replaced by its own."""
    if not path.is_file():  # Blender would print a warning for a file it cannot open
        return False
    shared = (bpy.data.images, bpy.data.node_groups)  # what the materials use, one copy a file
    before = [set(blocks) for blocks in shared]
    try:
        with appending(path) as (source, target):
            if hum and not source.sounds:
                return False
            target.materials = list(source.materials)
            target.sounds = list(source.sounds) if hum else []
    except (OSError, RuntimeError):  # missing, cut short or not a .blend
        return False
    for blocks, had in zip(shared, before, strict=True):
        known: dict[tuple[object, object], bpy.types.ID] = {}
        for block in blocks:  # the first of a tag, as ensure_material finds them
            tag = _tag(block)
            if block in had and tag is not None:
                known.setdefault(tag, block)
        for block in [block for block in blocks if block not in had]:
            tag = _tag(block)
            own = known.get(tag) if tag is not None else None
            if own is not None:  # already in the file: one copy of each
                block.user_remap(own)
                blocks.remove(block)
    return True


def _tag(block: bpy.types.ID) -> tuple[object, object] | None:
    name = block.get(RECIPE_KEY)
    return (name, block.get(RECIPE_VERSION_KEY)) if name is not None else None


KEPT_FILES = 16  # cache files a folder keeps (one per set of materials and look), the newest


def write_cache(path: Path, blocks: set[bpy.types.ID]) -> None:
    """Write `blocks` (and what they use: images, actions) to `path`, atomically (see _write)."""
    _write(path, lambda temporary: bpy.data.libraries.write(temporary, blocks, compress=False))


def _write(path: Path, write: Callable[[str], None]) -> None:
    """Write a cache file with `write` (given a temporary path beside `path`), renamed to `path`
    when whole; then the folder's cache files made from other sources go, and this source's
    oldest of the kind beyond KEPT_FILES. A cache that cannot be written, or tidied, is left as
    it is: a cache only ever saves time."""
    key = source_key()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Named as this source's, so that another process's tidying leaves it be while it is written.
        handle, temporary = tempfile.mkstemp(prefix=f"{key}-", suffix=f".partial{path.suffix}", dir=path.parent)
        os.close(handle)
    except OSError:
        return
    try:
        write(temporary)
        os.replace(temporary, path)
    except OSError:  # a full disk, a folder gone: nothing half written is left
        with suppress(OSError):
            os.unlink(temporary)
        return
    _tidy(path.parent, key, path.suffix)


def _tidy(folder: Path, key: str, suffix: str) -> None:
    """Remove the cache files of other sources, and this source's oldest of the kind (`suffix`)
    beyond KEPT_FILES."""
    files = [file for file in folder.glob("*.*") if CACHE_NAME.fullmatch(file.name)]
    current = sorted((f for f in files if f.name.startswith(key) and f.suffix == suffix), key=_age, reverse=True)
    for file in [f for f in files if not f.name.startswith(key)] + current[KEPT_FILES:]:
        with suppress(OSError):  # open elsewhere (Windows), a read-only folder: next time
            file.unlink(missing_ok=True)


def _age(file: Path) -> float:
    try:
        return file.stat().st_mtime
    except OSError:
        return 0.0


def made_once(names: Sequence[str], look: Look, hum: bool, make: Callable[[], set[bpy.types.ID]]) -> None:
    """The materials `names` in `look` (and the hum): appended from the cache, or made by `make`
    (which returns what it made) and cached for the next file."""
    path = cache_file(names, look, hum)
    if path is not None and append_cached(path, hum):
        return
    made = make()
    if path is not None and made:
        write_cache(path, made)


Arrays = dict[str, npt.NDArray[Any]]


def kept_arrays(
    label: str, names: tuple[str, ...], make: Callable[[], Arrays], whole: Callable[[Arrays], bool]
) -> Arrays:
    """The arrays `names` that `make` returns for `label` (which names everything they are made
    from beyond this package's code): loaded from the cache when it has them and `whole` accepts
    them, else made and cached. Every array comes back read-only."""
    path = _cache_path(label, ".arrays")
    arrays = _loaded_arrays(path, names) if path is not None else None
    if arrays is None or not whole(arrays):
        arrays = made = make()
        if path is not None:
            _write(path, lambda temporary: _save_arrays(temporary, [made[name] for name in names]))
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def _save_arrays(path: str, arrays: list[npt.NDArray[Any]]) -> None:
    """The arrays one after the other, each as a .npy file holds one (np.load reads them back in
    turn: a tenth of the time a first .npz costs, which imports zipfile)."""
    with open(path, "wb") as file:
        for array in arrays:
            np.save(file, array, allow_pickle=False)


def _loaded_arrays(path: Path, names: tuple[str, ...]) -> Arrays | None:
    """The arrays `names` of a cache file; None when it is missing, or not exactly that many
    whole arrays."""
    try:
        with open(path, "rb") as file:
            arrays = {name: np.load(file, allow_pickle=False) for name in names}
            return arrays if not file.read(1) else None
    except Exception:  # whatever a damaged header makes numpy raise (a cache only ever saves time)
        return None
