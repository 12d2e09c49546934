"""Render the README's reference pictures of Level 0 into docs/: inside, from above, and its presets.

Run with Blender's bpy module: `.venv-5.0/bin/python tools/render_docs.py` (tools/render_docs.sh
sets that up). Small PNGs, losslessly optimised.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    import bpy
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.build import output
    from backrooms_addon.core import LevelSpec
    from backrooms_addon.core.render import RENDER_PRESETS

    bpy.ops.wm.read_homefile(use_factory_startup=True, use_empty=True)
    scene = bpy.context.scene
    level = api.generate(LevelSpec(seed=0), scene=scene)
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as folder:
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
        render_presets(Path(folder), docs / "level0-presets.jpg")
    for name in ("level0.png", "level0-above.png", "level0-presets.jpg"):
        print(docs / name, f"{(docs / name).stat().st_size // 1024} KiB")
    return 0


def render_presets(folder: Path, target: Path) -> None:
    """The Level 0 presets side by side, each from its own camera, seed 4."""
    import bpy
    from PIL import Image

    from backrooms_addon import api
    from backrooms_addon.build import output
    from backrooms_addon.core.render import RENDER_PRESETS

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


if __name__ == "__main__":
    sys.exit(main())
