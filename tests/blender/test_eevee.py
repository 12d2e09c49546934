"""EEVEE lights a level too: its lamps, not only Cycles' emissive troffers, light the rooms."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import bpy
import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.slow

# Blender 4.2 calls the new EEVEE BLENDER_EEVEE_NEXT; from 4.3 on it is BLENDER_EEVEE again.
EEVEE = "BLENDER_EEVEE_NEXT" if bpy.app.version < (4, 3, 0) else "BLENDER_EEVEE"


def test_eevee_render_from_the_spawn_camera_is_lit(scene: bpy.types.Scene, api: ModuleType, tmp_path: Path) -> None:
    api.generate(seed=0, width=16, depth=16, scene=scene)
    scene.render.engine = EEVEE
    scene.render.resolution_x, scene.render.resolution_y = 160, 90
    scene.render.filepath = str(tmp_path / "eevee.png")
    bpy.ops.render.render(write_still=True)
    image = np.asarray(Image.open(tmp_path / "eevee.png").convert("RGB"), np.float64) / 255
    assert image.mean() > 0.08, "the lamps light the rooms"
    r, b = image[..., 0].mean(), image[..., 2].mean()
    assert r > b, "yellow walls under the lamps"
