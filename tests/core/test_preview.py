"""Top-down pictures from the core: the panel's preview and the docs' layout pictures."""

from __future__ import annotations

import numpy as np

from backrooms_addon.core import LevelSpec
from backrooms_addon.core.layout import Layout
from backrooms_addon.core.preview import FLOOR, PILLAR, WALL, draw_layout, preview


def test_a_wall_and_a_pillar_land_where_they_are() -> None:
    walls_h = np.zeros((3, 3), bool)
    walls_h[1, 0] = True  # the wall between cells (0, 0) and (0, 1)
    solid = np.zeros((2, 3), bool)
    solid[1, 2] = True  # the north-east cell
    image = draw_layout(Layout(walls_h, np.zeros((2, 4), bool), solid), scale=8)
    assert image.shape == (17, 25, 3)
    # North is up: grid row y = 1 is image row 16 - 8 = 8.
    assert (image[8, 0:9] == WALL).all() and (image[8, 9:] == FLOOR).all()
    assert (image[4, 20] == PILLAR).all() and (image[12, 20] == FLOOR).all()


def test_preview_is_square_and_changes_with_the_seed() -> None:
    a = preview(LevelSpec(seed=1, width=300, depth=40), 128)
    b = preview(LevelSpec(seed=2, width=300, depth=40), 128)
    assert a.shape == b.shape == (128, 128, 3) and a.dtype == np.uint8
    assert not np.array_equal(a, b)
    assert (a == WALL).all(axis=2).mean() > 0.02
