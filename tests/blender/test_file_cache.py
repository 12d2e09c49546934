"""What a new file builds once (materials, images, the hum) comes from a cache on disk after the
first time: the same blocks as building them, one copy of each texture, nothing left unused, and
a cache that is missing, broken, stale or shared never changes what a level gets. The template
models' arrays are kept there too: the same arrays as appending the model."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import bpy
import numpy as np
import pytest
from blender_support import blender_command
from paths import ROOT

RECIPE_KEY = "backrooms_recipe"
SMALL = {"seed": 3, "width": 12, "depth": 10}


def _new_file() -> bpy.types.Scene:
    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    return bpy.context.scene


def _socket_value(socket: bpy.types.NodeSocket) -> object:
    value = getattr(socket, "default_value", None)
    if value is None or isinstance(value, (int, float, str, bool)):
        return round(value, 6) if isinstance(value, float) else value
    return tuple(round(float(v), 6) for v in value)


def _tree(material: bpy.types.Material) -> tuple[object, ...]:
    """Everything a material's look depends on: its nodes, their settings and inputs, their
    images (by the texture they hold), its links and its animation."""
    nodes = []
    for node in sorted(material.node_tree.nodes, key=lambda n: n.name):
        image = getattr(node, "image", None)
        inputs = tuple((s.identifier, _socket_value(s)) for s in node.inputs)
        settings = tuple(
            (p.identifier, str(getattr(node, p.identifier)))
            for p in node.bl_rna.properties
            if p.type == "ENUM" and not p.is_readonly
        )
        nodes.append((node.name, node.bl_idname, settings, inputs, image.get(RECIPE_KEY) if image else None))
    links = sorted(
        (link.from_node.name, link.from_socket.identifier, link.to_node.name, link.to_socket.identifier)
        for link in material.node_tree.links
    )
    animation = material.node_tree.animation_data
    keys: list[object] = []
    if animation is not None and animation.action is not None:
        for curve in _curves(animation.action):
            points = np.empty(2 * len(curve.keyframe_points), np.float32)
            curve.keyframe_points.foreach_get("co", points)
            keys.append((curve.data_path, points.round(5).tobytes()))
    return (material.get(RECIPE_KEY), tuple(nodes), tuple(links), tuple(keys), tuple(material.diffuse_color))


def _curves(action: bpy.types.Action) -> list[bpy.types.FCurve]:
    if hasattr(action, "layers") and action.layers:  # layered actions (Blender 4.4 and later)
        return [
            c for layer in action.layers for strip in layer.strips for bag in strip.channelbags for c in bag.fcurves
        ]
    return list(action.fcurves)


def _ours(blocks: bpy.types.bpy_prop_collection) -> dict[str, list[bpy.types.ID]]:
    found: dict[str, list[bpy.types.ID]] = {}
    for block in blocks:
        if block.get(RECIPE_KEY):
            found.setdefault(str(block[RECIPE_KEY]), []).append(block)
    return found


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, addon: ModuleType) -> tuple[Path, ModuleType]:
    """An empty cache folder of this test's own, and the cache module."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("BACKROOMS_CACHE_DIR", str(folder))
    return folder, importlib.import_module(f"{addon.__name__}.realize.file_cache")


def _building_fails(monkeypatch: pytest.MonkeyPatch, addon: ModuleType) -> None:
    """From now on a material that is not in the file or the cache cannot be built."""
    materials = importlib.import_module(f"{addon.__name__}.realize.materials")

    def refuse(recipe: object) -> None:
        raise AssertionError(f"built {recipe!r} instead of appending it")

    monkeypatch.setattr(materials, "node_material", refuse)


def test_a_new_file_appends_what_the_first_one_built(
    api: ModuleType, addon: ModuleType, cache: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = cache
    api.generate(scene=_new_file(), **SMALL)
    built = {name: _tree(blocks[0]) for name, blocks in _ours(bpy.data.materials).items()}
    hum = [bytes(s.packed_file.data) for s in bpy.data.sounds if s.get(RECIPE_KEY) == "hum"]
    assert len(list(folder.rglob("*.blend"))) == 1, "the first level in a new file wrote the cache"

    _building_fails(monkeypatch, addon)
    api.generate(scene=_new_file(), **SMALL)
    appended = {name: _tree(blocks[0]) for name, blocks in _ours(bpy.data.materials).items()}
    assert appended == built
    assert [bytes(s.packed_file.data) for s in bpy.data.sounds if s.get(RECIPE_KEY) == "hum"] == hum
    assert all(image.packed_file is not None for image in bpy.data.images), "a saved file keeps its textures"
    assert not bpy.data.libraries, "appended, not linked"


def test_appended_images_and_groups_the_file_has_are_not_doubled(
    api: ModuleType, addon: ModuleType, cache: tuple[Path, ModuleType]
) -> None:
    api.generate(scene=_new_file(), **SMALL)  # writes the cache
    _new_file()
    materials = importlib.import_module(f"{addon.__name__}.realize.materials")
    frame = importlib.import_module(f"{addon.__name__}.core.axis_normals").AXIS_FRAME
    recipe = materials.load_recipes()["wallpaper"]
    node = next(node for node in recipe.nodes.values() if node.image)
    mine = materials.ensure_image(node.image, node.colorspace, recipe.version)
    my_group = materials.ensure_node_group(frame)
    api.generate(scene=bpy.context.scene, **SMALL)
    images, groups = _ours(bpy.data.images), _ours(bpy.data.node_groups)
    assert images[node.image] == [mine], "the file's own image is used, no copy beside it"
    assert all(len(copies) == 1 for copies in images.values())
    assert groups[frame.name] == [my_group], "the file's own normal frame group, no copy beside it"
    framed = [m for m in bpy.data.materials if materials.framing_node(m) is not None]
    assert framed and all(materials.framing_node(m).node_tree == my_group for m in framed)


def test_a_copy_the_user_made_of_a_shared_block_is_left_as_it_is(
    api: ModuleType, addon: ModuleType, cache: tuple[Path, ModuleType]
) -> None:
    """A user's copy of the file's frame group (a single-user copy keeps its tags), named to sort
    first: appending another level's materials from the cache removes only what it appended."""
    materials = importlib.import_module(f"{addon.__name__}.realize.materials")
    api.generate(preset="LEVEL_188", scene=_new_file(), **SMALL)  # writes the Courtyard's cache (nothing of Level 0)
    api.generate(scene=_new_file(), **SMALL)
    ours = {m.name: materials.framing_node(m).node_tree for m in bpy.data.materials if materials.framing_node(m)}
    (group,) = set(ours.values())
    copy = group.copy()
    copy.name = "A frame of my own"
    mine = bpy.data.materials.new("My material")
    if mine.node_tree is None:  # Blender 4.x
        mine.use_nodes = True
    node = mine.node_tree.nodes.new("ShaderNodeGroup")
    node.node_tree = copy
    api.generate(preset="LEVEL_188", scene=bpy.context.scene, new_level=True, **SMALL)
    assert {g.name for g in bpy.data.node_groups} >= {group.name, copy.name}
    assert node.node_tree == copy, "the user's material still holds the user's group"
    assert {m.name: materials.framing_node(m).node_tree for m in bpy.data.materials if m.name in ours} == ours
    assert len(_ours(bpy.data.node_groups)["axis_frame"]) == 2, "the appended copy went"


@pytest.mark.parametrize(
    ("preset", "fields"),
    [
        ("LEVEL_6", {}),  # no lit fixture: the lit diffuser is guessed, made (or appended) and let go
        ("LEVEL_0", {"fixture_density": 0.0}),  # no fixture at all: the flickering ones and their keys too
    ],
)
def test_nothing_made_ahead_is_left_unused(
    api: ModuleType, cache: tuple[Path, ModuleType], preset: str, fields: dict[str, float]
) -> None:
    for _ in range(2):  # building, then from the cache
        api.generate(preset=preset, scene=_new_file(), **SMALL, **fields)
        made = (*bpy.data.materials, *bpy.data.images, *bpy.data.node_groups)
        unused = [b.name for b in made if b.get(RECIPE_KEY) and b.users == 0]
        assert unused == []
        assert [action.name for action in bpy.data.actions if action.users == 0] == []
        assert "fixture_diffuser" not in _ours(bpy.data.materials)


def test_a_failure_while_making_them_leaves_nothing(
    api: ModuleType, addon: ModuleType, cache: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    level = importlib.import_module(f"{addon.__name__}.realize.level")

    def broken_hum() -> None:
        raise OSError("no room for the hum")

    monkeypatch.setattr(level, "ensure_hum", broken_hum)
    scene = _new_file()
    with pytest.raises(OSError, match="no room"):
        api.generate(scene=scene, **SMALL)
    assert not _ours(bpy.data.materials) and not _ours(bpy.data.images) and not _ours(bpy.data.node_groups)
    assert not scene.collection.children and not bpy.data.actions


def test_every_look_has_its_own_cache_file(addon: ModuleType, cache: tuple[Path, ModuleType]) -> None:
    _, file_cache = cache
    look = addon.core.recipes.Look
    names = ("wallpaper", "carpet")
    paths = {
        file_cache.cache_file(names, look(wear=0.1231), True),
        file_cache.cache_file(names, look(wear=0.1234), True),  # the same look's key() rounded
        file_cache.cache_file(names, look(wear=0.1234), False),
        file_cache.cache_file(("wallpaper",), look(wear=0.1234), True),
        file_cache.cache_file(names, look(wallpaper_tint="#112233"), True),
    }
    assert len(paths) == 5
    assert file_cache.cache_file(names, look(), True) == file_cache.cache_file(names[::-1], look(), True)


@pytest.mark.parametrize("damage", ["garbage", "cut short"])
def test_a_broken_cache_file_is_built_over(
    api: ModuleType, addon: ModuleType, cache: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    folder, _ = cache
    api.generate(scene=_new_file(), **SMALL)
    built = {name: _tree(blocks[0]) for name, blocks in _ours(bpy.data.materials).items()}
    (path,) = folder.rglob("*.blend")
    data = path.read_bytes()
    path.write_bytes(b"not a blend file" * 64 if damage == "garbage" else data[: len(data) // 3])
    api.generate(scene=_new_file(), **SMALL)
    assert {name: _tree(blocks[0]) for name, blocks in _ours(bpy.data.materials).items()} == built
    _building_fails(monkeypatch, addon)  # the file was written again, whole: the next file appends it
    api.generate(scene=_new_file(), **SMALL)
    assert {name: _tree(blocks[0]) for name, blocks in _ours(bpy.data.materials).items()} == built


def test_files_from_other_sources_go_when_the_cache_is_written(api: ModuleType, cache: tuple[Path, ModuleType]) -> None:
    folder, file_cache = cache
    stale = file_cache.cache_dir() / "0123456789abcdef-0123456789abcdef.blend"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an older generator's cache")
    stale_arrays = stale.with_suffix(".arrays")
    stale_arrays.write_bytes(b"an older generator's model")
    other = stale.with_name("notes.txt")
    other.write_text("not the cache's")
    api.generate(scene=_new_file(), **SMALL)
    assert not stale.exists() and not stale_arrays.exists() and other.exists()
    assert [p.name.split("-")[0] for p in folder.rglob("*.blend")] == [file_cache.source_key()]


def test_each_kind_of_cache_file_keeps_its_own_newest(
    api: ModuleType, cache: tuple[Path, ModuleType], templates: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, file_cache = cache
    monkeypatch.setattr(file_cache, "KEPT_FILES", 1)
    api.generate(scene=_new_file(), **SMALL)  # the materials' file, then the troffer's arrays
    assert sorted(p.suffix for p in folder.rglob("*-*")) == [".arrays", ".blend"]
    api.generate(scene=_new_file(), **SMALL, wallpaper_tint="#C0B060")  # another look: a newer .blend
    assert sorted(p.suffix for p in folder.rglob("*-*")) == [".arrays", ".blend"]


def test_no_cache_when_its_folder_is_set_empty(
    api: ModuleType, addon: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKROOMS_CACHE_DIR", "")
    file_cache = importlib.import_module(f"{addon.__name__}.realize.file_cache")
    assert file_cache.cache_dir() is None

    def touched(*_: object) -> None:
        raise AssertionError("the cache was read or written")

    monkeypatch.setattr(file_cache, "append_cached", touched)
    monkeypatch.setattr(file_cache, "_write", touched)
    monkeypatch.setattr(file_cache, "_loaded_arrays", touched)
    importlib.import_module(f"{addon.__name__}.realize.troffers")._loaded.cache_clear()
    api.generate(scene=_new_file(), **SMALL)
    assert "wallpaper" in _ours(bpy.data.materials)


def test_a_cache_folder_that_cannot_be_written_only_means_building(
    api: ModuleType, cache: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, file_cache = cache
    folder.write_text("a file where the folder should be")  # neither read nor written
    api.generate(scene=_new_file(), **SMALL)
    assert "wallpaper" in _ours(bpy.data.materials) and folder.is_file()

    def refuse(_: Path, missing_ok: bool = False) -> None:
        raise PermissionError("open elsewhere")

    folder.unlink()
    monkeypatch.setattr(Path, "unlink", refuse)  # the stale file cannot go: left for next time
    stale = file_cache.cache_dir() / "0123456789abcdef-0123456789abcdef.blend"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an older generator's cache")
    api.generate(scene=_new_file(), **SMALL)
    assert stale.exists() and len(list(folder.rglob("*.blend"))) == 2


def test_two_processes_sharing_the_cache_folder_both_build_and_leave_it_whole(tmp_path: Path) -> None:
    script = tmp_path / "level.py"
    script.write_text(
        "import os, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import bpy\n"
        "from backrooms_addon import api\n"
        "if sys.argv[-1] == 'appends':  # no material may be built: all come from the cache\n"
        "    from backrooms_addon.realize import materials\n"
        "    materials.node_material = None\n"
        "api.generate(seed=int(sys.argv[-2]), width=40, depth=40)\n"
        "names = sorted(m.get('backrooms_recipe') for m in bpy.data.materials if m.get('backrooms_recipe'))\n"
        "print('MATERIALS', names, flush=True)\n"
        "os._exit(0)  # the bpy 4.2 module may crash while it shuts down\n"
    )
    env = {"BACKROOMS_CACHE_DIR": str(tmp_path / "shared")}
    runs = [_start(script, str(seed), "builds", env) for seed in (1, 2, 3)]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err[-2000:]
    materials = {line for out, _ in outputs for line in out.splitlines() if line.startswith("MATERIALS")}
    assert len(materials) == 1, "every process got the same materials"
    assert len(list((tmp_path / "shared").rglob("*.blend"))) == 1
    out, err = _start(script, "4", "appends", env).communicate(timeout=600)
    assert materials == {line for line in out.splitlines() if line.startswith("MATERIALS")}, err[-2000:]


def _start(script: Path, seed: str, how: str, env: dict[str, str]) -> subprocess.Popen[str]:
    command = blender_command(script, seed, how)
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env}
    )


TROFFER = "Troffer 60x120"


@pytest.fixture
def templates(addon: ModuleType, cache: tuple[Path, ModuleType]) -> Iterator[ModuleType]:
    """The template models' module, its models read anew (not from this process's memory)."""
    troffers = importlib.import_module(f"{addon.__name__}.realize.troffers")
    troffers._loaded.cache_clear()
    yield troffers
    troffers._loaded.cache_clear()


def _appending_fails(monkeypatch: pytest.MonkeyPatch, troffers: ModuleType) -> None:
    """From now on a template model cannot be appended: it must come from the cache."""

    def refuse(path: Path) -> None:
        raise AssertionError(f"appended from {path}")

    monkeypatch.setattr(troffers, "appending", refuse)


def _model(arrays: Any) -> tuple[object, ...]:
    fields = (arrays.vertices, arrays.faces, arrays.uvs, arrays.material_indices, arrays.pieces)
    return (*((array.dtype.str, array.shape, array.tobytes()) for array in fields), arrays.materials)


@pytest.mark.parametrize(("load", "name"), [("load_troffer", TROFFER), ("load_furniture", "desk")])
def test_template_models_come_from_the_cache_as_appended(
    templates: ModuleType, cache: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch, load: str, name: str
) -> None:
    folder, _ = cache
    appended = getattr(templates, load)(name)
    assert len(list(folder.rglob("*.arrays"))) == 1
    templates._loaded.cache_clear()
    _appending_fails(monkeypatch, templates)
    kept = getattr(templates, load)(name)
    assert _model(kept) == _model(appended)
    assert not any(array.flags.writeable for array in (kept.vertices, kept.uvs, kept.material_indices, kept.pieces))


def _arrays_file(arrays: list[np.ndarray], allow_pickle: bool = False) -> bytes:
    file = io.BytesIO()
    for array in arrays:
        np.save(file, array, allow_pickle=allow_pickle)
    return file.getvalue()


DAMAGES = {
    "garbage": lambda data, model: b"not arrays" * 64,
    "cut short": lambda data, model: data[: len(data) // 2],
    "an array more": lambda data, model: data + _arrays_file([np.zeros(3, np.int32)]),
    "an array less": lambda data, model: _arrays_file([model.vertices, model.uvs]),
    "a face less": lambda data, model: _arrays_file([model.vertices[4:], model.uvs[4:], model.material_indices]),
    "another type": lambda data, model: _arrays_file(
        [model.vertices.astype(np.float64), model.uvs, model.material_indices]
    ),
    "objects": lambda data, model: _arrays_file([np.array([{}], object)] * 3, allow_pickle=True),
    "a header changed": lambda data, model: data.replace(b"{'descr'", b"''descr'", 1),
    "a header claiming a huge shape": lambda data, model: _huge_header(),
    "a material out of range": lambda data, model: _arrays_file(
        [model.vertices, model.uvs, np.full_like(model.material_indices, len(model.materials))]
    ),
    "a coordinate not finite": lambda data, model: _arrays_file(
        [_one_nan(model.vertices), model.uvs, model.material_indices]
    ),
}


def _one_nan(vertices: np.ndarray) -> np.ndarray:
    damaged = vertices.copy()
    damaged[2, 1] = np.nan
    return damaged


def _huge_header() -> bytes:
    """A .npy header for 10**11 rows of three floats, and no rows."""
    file = io.BytesIO()
    np.lib.format.write_array_header_1_0(file, {"descr": "<f4", "fortran_order": False, "shape": (10**11, 3)})
    return file.getvalue()


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_model_in_the_cache_is_appended_over(
    templates: ModuleType, cache: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    folder, _ = cache
    appended = templates.load_troffer(TROFFER)
    (kept,) = folder.rglob("*.arrays")
    kept.write_bytes(DAMAGES[damage](kept.read_bytes(), appended))
    templates._loaded.cache_clear()
    assert _model(templates.load_troffer(TROFFER)) == _model(appended)
    templates._loaded.cache_clear()
    _appending_fails(monkeypatch, templates)  # written again, whole: the next process loads it
    assert _model(templates.load_troffer(TROFFER)) == _model(appended)


def test_a_model_the_cache_cannot_keep_leaves_no_file_behind(
    templates: ModuleType, cache: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, file_cache = cache

    def disk_full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file_cache, "_save_arrays", disk_full)
    model = templates.load_troffer(TROFFER)
    assert model.face_count > 0
    assert not [path.name for path in folder.rglob("*") if path.is_file()], "nothing half written is left"
