"""The window onto the world: the chunks that cover a region, open-floor queries, piece lookups."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from backrooms_addon.core import LevelSpec
from backrooms_addon.core.geometry import Pieces
from backrooms_addon.core.layout import Layout, build_layout
from backrooms_addon.core.styles import STYLES
from backrooms_addon.core.world import Window

FAR = 10**9 - 100


@st.composite
def regions(draw: st.DrawFn) -> LevelSpec:
    size = draw(st.sampled_from([6, 8, 16]))
    return LevelSpec(
        seed=draw(st.integers(0, 2**40)),
        width=draw(st.integers(1, 40)),
        depth=draw(st.integers(1, 40)),
        origin=(draw(st.integers(-FAR, FAR)), draw(st.integers(-FAR, FAR))),
        chunk_size=size,
        room_min=1,
        room_max=draw(st.integers(1, size)),
        density=draw(st.floats(0.0, 1.0)),
        cell_size=draw(st.floats(1.0, 4.0)),
        piece_chunks=draw(st.integers(1, 3)),
        style=draw(st.sampled_from(sorted(STYLES))),
    )


def old_clear_blocks(layout: Layout, width: int, depth: int, chunk_size: int) -> np.ndarray:
    """The open-floor test pitfalls and stairwells used before the window (core/floors.py)."""
    rows, columns = layout.solid.shape
    clear = np.zeros((rows, columns), np.bool_)
    if rows < depth or columns < width:
        return clear
    blocked = sliding_window_view(layout.solid, (depth, width)).any(axis=(-2, -1))
    if width > 1:
        blocked |= sliding_window_view(layout.walls_v[:, 1:columns], (depth, width - 1)).any(axis=(-2, -1))
    if depth > 1:
        blocked |= sliding_window_view(layout.walls_h[1:rows], (depth - 1, width)).any(axis=(-2, -1))
    ys, xs = np.mgrid[0 : rows - depth + 1, 0 : columns - width + 1]
    ox, oy = layout.origin
    one_chunk = ((xs + ox) // chunk_size == (xs + ox + width - 1) // chunk_size) & (
        (ys + oy) // chunk_size == (ys + oy + depth - 1) // chunk_size
    )
    clear[: rows - depth + 1, : columns - width + 1] = ~blocked & one_chunk
    return clear


@given(regions())
def test_the_window_is_the_whole_chunks_around_the_region(spec: LevelSpec) -> None:
    window = Window.of(spec)
    size, (x, y) = spec.chunk_size, window.offset
    assert window.origin[0] % size == 0 and window.origin[1] % size == 0
    assert (window.origin[0] + x, window.origin[1] + y) == spec.origin
    rows, columns = window.shape
    assert 0 <= x < size and 0 <= y < size, "no chunk left of or below the region"
    assert columns - size < x + spec.width <= columns and rows - size < y + spec.depth <= rows, "nor beyond it"
    assert window.world.solid.shape == window.shape and window.world.origin == window.origin
    assert window.region().digest() == build_layout(spec).digest()


@given(regions())
def test_crop_undoes_embed_and_the_rest_stays_empty(spec: LevelSpec) -> None:
    window = Window.of(spec)
    cells = np.random.default_rng(spec.seed).random((spec.depth, spec.width)) < 0.5
    whole = window.embed(cells)
    np.testing.assert_array_equal(window.crop(whole), cells)
    assert whole.sum() == cells.sum()
    assert not window.embed(None).any()


@given(regions())
def test_the_ground_drops_pillars_only_where_the_style_has_none(spec: LevelSpec) -> None:
    window = Window.of(spec)
    ground, world = window.ground, window.world
    assert ground.walls_h.tobytes() == world.walls_h.tobytes() and ground.walls_v.tobytes() == world.walls_v.tobytes()
    if STYLES[spec.style].pillars:
        assert ground.solid.tobytes() == world.solid.tobytes()
    else:
        assert not ground.solid.any()


@settings(max_examples=60)
@given(regions(), st.integers(1, 7), st.integers(1, 7))
def test_open_blocks_agree_with_the_sliding_window_test(spec: LevelSpec, width: int, depth: int) -> None:
    window = Window.of(spec)
    expected = old_clear_blocks(window.world, width, depth, spec.chunk_size)
    np.testing.assert_array_equal(window.open_world.blocks(width, depth), expected)


@given(regions(), st.data())
def test_clear_rectangles_agree_with_a_cell_by_cell_look(spec: LevelSpec, data: st.DataObject) -> None:
    window = Window.of(spec)
    layout, rows, columns = window.ground, *window.shape
    x0 = data.draw(st.integers(0, columns - 1))
    y0 = data.draw(st.integers(0, rows - 1))
    x1 = data.draw(st.integers(x0 + 1, columns))
    y1 = data.draw(st.integers(y0 + 1, rows))
    expected = (
        not layout.solid[y0:y1, x0:x1].any()
        and not layout.walls_v[y0:y1, x0 + 1 : x1].any()
        and not layout.walls_h[y0 + 1 : y1, x0:x1].any()
    )
    found = window.open_ground.clear(*(np.array([v]) for v in (x0, y0, x1, y1)))
    assert bool(found[0]) == expected


@given(regions(), st.tuples(*[st.integers(0, 4)] * 4))
def test_a_block_is_within_the_region_when_all_its_cells_are(spec: LevelSpec, reach: tuple[int, ...]) -> None:
    window = Window.of(spec)
    west, east, south, north = reach
    starts = np.ones(window.shape, np.bool_)
    kept = window.within(starts, (west, east, south, north))
    region = window.embed(np.ones((spec.depth, spec.width), np.bool_))
    rows, columns = window.shape
    for y, x in zip(*np.nonzero(kept | region), strict=True):
        inside = (
            y - south >= 0
            and x - west >= 0
            and y + north < rows
            and x + east < columns
            and region[y - south : y + north + 1, x - west : x + east + 1].all()
        )
        assert bool(kept[y, x]) == inside


@given(regions(), st.data())
def test_piece_lookups_agree_with_the_pieces(spec: LevelSpec, data: st.DataObject) -> None:
    window = Window.of(spec)
    pieces = Pieces.covering(spec.width, spec.depth, spec.piece_cells)
    assert window.pieces == pieces
    width_m, depth_m, size = spec.width * spec.cell_size, spec.depth * spec.cell_size, pieces.cells * spec.cell_size
    points = st.lists(st.tuples(st.floats(0, width_m, exclude_max=True), st.floats(0, depth_m, exclude_max=True)))
    xy = np.array(data.draw(points, label="points"), np.float64).reshape(-1, 2)
    x, y = xy[:, 0], xy[:, 1]
    # The piece whose square holds the point (to rounding, right on a border).
    row, column = np.divmod(window.piece_at(x, y), pieces.columns)
    assert ((column * size - 1e-9 <= x) & (x <= (column + 1) * size + 1e-9)).all()
    assert ((row * size - 1e-9 <= y) & (y <= (row + 1) * size + 1e-9)).all()
    # Faces pick their piece as the walls do.
    np.testing.assert_array_equal(window.piece_of_face(x, y), pieces.of_points(x, y, spec.cell_size))
    # A cell's piece is the piece of its middle.
    ys, xs = np.mgrid[0 : spec.depth, 0 : spec.width]
    middles = window.piece_at((xs.ravel() + 0.5) * spec.cell_size, (ys.ravel() + 0.5) * spec.cell_size)
    np.testing.assert_array_equal(window.piece_of_cells(xs.ravel(), ys.ravel()), middles)
