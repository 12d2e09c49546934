"""Render the README's reference pictures into docs/: Level 0 inside and from above, its presets,
Level 0 in Cycles and in EEVEE, each other level from its spawn camera, and a stairwell between
stacked floors.

Run with Blender's bpy module: `.venv-5.0/bin/python tools/render_docs.py [NAME ...]` (tools/render_docs.sh
sets that up). Small PNGs, losslessly optimised.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Render the pictures named on the command line (all by default)."""
    wanted = sys.argv[1:] or list(PICTURES)
    with tempfile.TemporaryDirectory() as folder:
        for name in wanted:
            PICTURES[name](Path(folder))
    return 0


def level0(folder: Path) -> None:
    """Level 0, seed 0: from its spawn camera, and from above without the ceiling."""
    import bpy
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    level = api.generate(LevelSpec(seed=0), scene=scene)
    docs = ROOT / "docs"
    inside = Path(folder) / "inside.png"
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=32, resolution=(640, 360))
    output.render_png(scene, inside)
    Image.open(inside).convert("RGB").save(docs / "level0.png", optimize=True)

    # From above: an orthographic camera over the level, the ceiling and troffers left out.
    width_m, depth_m = level.plan.size_m
    for obj in level.objects:
        if obj.name.startswith(("Backrooms ceiling", "Backrooms fixtures")):
            obj.hide_render = True
    camera = bpy.data.objects.new("Docs top view", bpy.data.cameras.new("Docs top view"))
    scene.collection.objects.link(camera)
    camera.data.type = "ORTHO"
    camera.data.ortho_scale = max(width_m, depth_m) * 1.02
    camera.location = (width_m / 2, depth_m / 2, 30.0)
    scene.camera = camera
    above = Path(folder) / "above.png"
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=16, resolution=(480, 480))
    scene.world.color = (0.9, 0.85, 0.72)  # a soft light from above shows the plan
    if scene.world.node_tree:
        background = next(n for n in scene.world.node_tree.nodes if n.bl_idname == "ShaderNodeBackground")
        background.inputs["Color"].default_value = (0.3, 0.28, 0.22, 1.0)
    output.render_png(scene, above)
    Image.open(above).convert("RGB").save(docs / "level0-above.png", optimize=True)
    for name in ("level0.png", "level0-above.png"):
        print(docs / name, f"{(docs / name).stat().st_size // 1024} KiB")


def presets(folder: Path) -> None:
    """The Level 0 presets side by side, each from its own camera, seed 4."""
    target = ROOT / "docs" / "level0-presets.jpg"
    import bpy
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    frames = []
    for key in ("LEVEL_0_HALLS", "LEVEL_0_BLACKOUT", "LEVEL_0_MAZE"):
        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
        scene = bpy.context.scene
        api.generate(preset=key, seed=4, scene=scene)
        output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=16, resolution=(480, 270))
        output.render_png(scene, folder / f"{key}.png")
        frames.append(Image.open(folder / f"{key}.png").convert("RGB"))
    sheet = Image.new("RGB", (sum(f.width for f in frames), frames[0].height))
    for index, frame in enumerate(frames):
        sheet.paste(frame, (index * frame.width, 0))
    sheet.save(target, quality=82)
    print(target, f"{target.stat().st_size // 1024} KiB")


def reference(key: str, **overrides: Any) -> Callable[[Path], None]:
    """A preset's reference picture from its spawn camera, docs/<level>.jpg."""

    def render(folder: Path) -> None:
        import bpy
        from PIL import Image

        from backrooms_addon import api
        from backrooms_addon.core.render import RENDER_PRESETS
        from backrooms_addon.realize import output

        bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
        scene = bpy.context.scene
        api.generate(preset=key, scene=scene, **{"seed": 4, **overrides})
        output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=32, resolution=(640, 360))
        output.render_png(scene, folder / f"{key}.png")
        target = ROOT / "docs" / f"{key.lower().replace('_', '')}.jpg"
        Image.open(folder / f"{key}.png").convert("RGB").save(target, quality=85)
        print(target, f"{target.stat().st_size // 1024} KiB")

    return render


def level4_room(folder: Path) -> None:
    """docs/level4-room.jpg: a meeting room of Level 4 (seed 23, cells 6-8 x 24-26, its door to the
    east) seen from outside its door, a fallen ceiling tile and its dark slot on the way. Every
    lit fixture gets a lamp: the room is far from the spawn, where the light budget goes."""
    import bpy
    from mathutils import Vector
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    api.generate(preset="LEVEL_4", seed=23, light_budget=200, scene=scene)
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=32, resolution=(640, 360))
    camera = scene.camera
    camera.animation_data_clear()
    camera.location = (35.5, 73.0, 1.65)
    camera.rotation_euler = (Vector((22.0, 76.0, 0.9)) - camera.location).to_track_quat("-Z", "Y").to_euler()
    camera.data.lens = 24
    output.render_png(scene, folder / "level4-room.png")
    target = ROOT / "docs" / "level4-room.jpg"
    Image.open(folder / "level4-room.png").convert("RGB").save(target, quality=85)
    print(target, f"{target.stat().st_size // 1024} KiB")


def eevee(folder: Path) -> None:
    """Level 0, seed 0, from its spawn camera in Cycles (left) and in EEVEE (right)."""
    target = ROOT / "docs" / "level0-eevee.jpg"
    import bpy
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    api.generate(seed=0, scene=scene)
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=32, resolution=(400, 225))
    output.render_png(scene, folder / "cycles.png")
    # EEVEE as Generate set it up; only the engine and its sample count are chosen here.
    scene.render.engine = "BLENDER_EEVEE_NEXT" if bpy.app.version < (4, 3, 0) else "BLENDER_EEVEE"
    scene.eevee.taa_render_samples = 32
    output.render_png(scene, folder / "eevee.png")
    frames = [Image.open(folder / f"{name}.png").convert("RGB") for name in ("cycles", "eevee")]
    sheet = Image.new("RGB", (sum(f.width for f in frames), frames[0].height))
    for index, frame in enumerate(frames):
        sheet.paste(frame, (index * frame.width, 0))
    sheet.save(target, quality=82)
    print(target, f"{target.stat().st_size // 1024} KiB")


def stairwell(folder: Path) -> None:
    """Two stacked floors, seen from the foot of a stairwell."""
    import math

    import bpy
    import numpy as np
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    level = api.generate(seed=3, width=32, depth=32, floors=2, light_budget=64, hum=False, scene=scene)
    stairs = level.plan.meshes["stairs"]
    corners = stairs.vertices.reshape(-1, 4, 3)
    first = int(np.argmin(np.where(stairs.material_indices == 2, corners[:, :, 2].min(1), np.inf)))
    x, y = corners[first, :, 0].mean(), corners[first, :, 1].mean()
    camera = bpy.data.objects.new("Docs stairwell", bpy.data.cameras.new("Docs stairwell"))
    camera.data.lens = 16
    scene.collection.objects.link(camera)
    camera.location = (x - 3.5, y - 1.0, 1.5)
    camera.rotation_euler = (math.radians(100), 0.0, math.radians(-75))
    scene.camera = camera
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=32, resolution=(640, 360))
    output.render_png(scene, folder / "stairwell.png")
    target = ROOT / "docs" / "stairwell.jpg"
    Image.open(folder / "stairwell.png").convert("RGB").save(target, quality=85)
    print(target, f"{target.stat().st_size // 1024} KiB")


def _contact_sheet(scene: Any, frames: list[tuple[int, str]], folder: Path, target: Path) -> None:
    """The scene camera's view on each frame, 256 x 192 (4:3), three to a row, saved to `target`."""
    from PIL import Image, ImageDraw

    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import output

    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=24, resolution=(256, 192))
    tiles = []
    for frame, caption in frames:
        scene.frame_set(frame)
        output.render_png(scene, folder / f"{frame}.png")
        tile = Image.open(folder / f"{frame}.png").convert("RGB")
        ImageDraw.Draw(tile).text((6, 4), f"{frame}: {caption}", fill=(255, 255, 255))
        tiles.append(tile)
    sheet = Image.new("RGB", (3 * 256, 192 * ((len(tiles) + 2) // 3)))
    for index, tile in enumerate(tiles):
        sheet.paste(tile, (256 * (index % 3), 192 * (index // 3)))
    sheet.save(target, quality=82)
    print(target, f"{target.stat().st_size // 1024} KiB")


def walk(folder: Path) -> None:
    """Frames of a walk through Level 0: the start, a turn, a glance aside, a stop, and on."""
    import bpy
    import numpy as np

    from backrooms_addon import api

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    walked = api.walk(seed=7, length=120.0, scene=scene)
    route = walked.walk.route
    moves = np.diff(route.positions[:, :2], axis=0)
    walking = np.linalg.norm(moves, axis=1) > 1e-6
    heading = np.arctan2(moves[:, 1], moves[:, 0])
    aside = np.where(walking, np.abs((route.yaw[:-1] - heading + np.pi) % (2 * np.pi) - np.pi), 0.0)
    turning = np.where(walking, np.abs(np.gradient(heading)), 0.0)
    stop = int(np.argmax(~walking[1:])) + 1
    picks = [
        (1, "start"),
        (int(np.argmax(turning)) + 1, "a turn"),
        (int(np.argmax(aside)) + 1, "a glance aside"),
        (stop + route.fps, "a stop, looking round"),
        (route.frame_count * 3 // 4, "on"),
        (route.frame_count, "the last frame"),
    ]
    _contact_sheet(scene, sorted(picks), folder, ROOT / "docs" / "walk.jpg")


def descent(folder: Path) -> None:
    """Frames of the descending shot: the top floor, each floor as the camera passes, the landing."""
    import bpy
    import numpy as np

    from backrooms_addon import api
    from backrooms_addon.core.floors import floor_height

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    styles = ("LEVEL_0", "LEVEL_1", "LEVEL_37")
    walked = api.walk(seed=0, floors=3, floor_styles=styles, length=40.0, descend=True, scene=scene)
    z = walked.walk.route.positions[:, 2]
    spec = walked.walk.spec
    top = floor_height(spec, spec.floors - 1)
    picks = [(1, f"{styles[-1]}, the top floor"), (int(np.argmax(z <= top + 0.6)) + 1, "into the shaft")]
    for floor in range(spec.floors - 2, 0, -1):  # each floor between, half way down its room
        middle = floor_height(spec, floor) + spec.wall_height / 2
        picks.append((int(np.argmax(z <= middle)) + 1, f"passing {styles[floor]}"))
    picks.append((int(np.argmax(z <= floor_height(spec, 1) - 0.4)) + 1, "through the slab"))
    landed = int(np.argmax(z <= 1.6 + 1e-6)) + 1
    picks += [(landed, f"{styles[0]}, landed"), (landed + 4 * walked.walk.route.fps, "walking on")]
    _contact_sheet(scene, picks, folder, ROOT / "docs" / "descent.jpg")


def camcorder(folder: Path) -> None:
    """The camcorder looks side by side, Level 0 from its spawn camera: clean, VHS, camcorder."""
    import bpy
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.core.render import RENDER_PRESETS
    from backrooms_addon.realize import camcorder as tape
    from backrooms_addon.realize import output

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    api.generate(seed=0, width=16, depth=16, scene=scene)
    output.apply_render_preset(scene, RENDER_PRESETS["preview"], samples=16, resolution=(640, 480))
    sheet = Image.new("RGB", (3 * 320, 240))
    for index, look in enumerate(("clean", "vhs", "camcorder")):
        tape.apply_look(scene, look, seed=3)
        scene.frame_set(1)
        path = Path(folder) / f"{look}.png"
        output.render_png(scene, path)  # looks are made at 640 x 480, as a tape's frame
        sheet.paste(Image.open(path).convert("RGB").resize((320, 240), Image.Resampling.LANCZOS), (320 * index, 0))
    target = ROOT / "docs" / "camcorder.jpg"
    sheet.save(target, quality=85)
    print(target, f"{target.stat().st_size // 1024} KiB")


def footage(folder: Path) -> None:
    """Frames of camcorder footage of a walk, made by the footage command as a user runs it."""
    import subprocess

    from PIL import Image, ImageDraw

    walk = ["--seed", "7", "--length", "40", "--resolution", "320x240", "--samples", "8", "--look", "vhs"]
    command = [sys.executable, "-m", "backrooms_addon", "footage", *walk, "--out", str(folder)]
    picks = [1, 200, 330, 450, 560, 660]  # 660: a tracking fault
    for frame in picks:  # only these frames: no video, just the pictures
        subprocess.run([*command, "--frames", f"{frame}-{frame}"], cwd=ROOT, check=True, capture_output=True)
    sheet = Image.new("RGB", (3 * 256, 2 * 192))
    for index, frame in enumerate(picks):
        tile = Image.open(folder / "frames" / f"{frame:06d}.png").convert("RGB").resize((256, 192))
        ImageDraw.Draw(tile).text((200, 6), f"{frame}", fill=(255, 255, 0))
        sheet.paste(tile, (256 * (index % 3), 192 * (index // 3)))
    target = ROOT / "docs" / "footage.jpg"
    sheet.save(target, quality=80)
    print(target, f"{target.stat().st_size // 1024} KiB")


PICTURES: dict[str, Callable[[Path], None]] = {
    "level0": level0,
    "presets": presets,
    "eevee": eevee,
    "level1": reference("LEVEL_1"),
    "level2": reference("LEVEL_2", seed=5),
    "level37": reference("LEVEL_37"),
    "level188": reference("LEVEL_188", width=14, depth=14),
    "level4": reference("LEVEL_4"),
    "level4room": level4_room,
    "level6": reference("LEVEL_6"),
    "levelrun": reference("LEVEL_RUN"),
    "stairwell": stairwell,
    "walk": walk,
    "descent": descent,
    "footage": footage,
    "camcorder": camcorder,
}


if __name__ == "__main__":
    sys.exit(main())
