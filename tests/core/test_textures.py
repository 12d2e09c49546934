"""The textures in materials/textures/ are what materials/make_textures.py makes, written by Pillow."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from paths import load_script
from PIL import Image


@pytest.fixture(scope="module")
def make_textures() -> ModuleType:
    return load_script("materials/make_textures.py")


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.mode == "RGB", path.name
        return np.asarray(image)


def test_every_texture_on_disk_is_the_scripts_output(make_textures: ModuleType) -> None:
    for name, make in make_textures.all_textures().items():
        for channel, image in make().items():
            expected = np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)
            assert np.array_equal(_pixels(make_textures.OUT / f"{name}_{channel}.png"), expected), (name, channel)


def test_write_png_keeps_the_pixels_and_the_size(make_textures: ModuleType, tmp_path: Path) -> None:
    image = make_textures.carpet()["normal"]
    path = tmp_path / "carpet_normal.png"
    make_textures.write_png(path, image)
    assert np.array_equal(_pixels(path), np.clip(np.rint(image * 255), 0, 255).astype(np.uint8))
    committed = (make_textures.OUT / "carpet_normal.png").stat().st_size
    assert path.stat().st_size <= 1.1 * committed, "compressed as tightly as the committed file"
