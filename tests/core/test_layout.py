"""The layout engine: connected chunks, seamless regions, fixed borders, density, determinism."""

from __future__ import annotations

import subprocess
import sys
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from level_checks import reachable_cells, split_region, walkable_components
from paths import ROOT

from backrooms_addon.core import InvalidSpecError, LevelSpec
from backrooms_addon.core import layout as layout_module
from backrooms_addon.core.algorithms import ALGORITHMS
from backrooms_addon.core.layout import EAST, NORTH, SOLID, SOUTH, WEST, build_layout

# Layout digests of reference levels. A change here changes what users' seeds produce:
# make it on purpose and bump GENERATOR_VERSION.
GOLDEN_DIGESTS = {
    LevelSpec(seed=7): "3c12cff87384289f8b58368380bb2bb633c6740913c056a68647d319479546d8",
    LevelSpec(
        seed=0, width=64, depth=48, density=0.3, algorithm="kruskal"
    ): "f966050c104f215afbee163573ea9d1f318fa2ce1147b33a82c64da6425d4f59",
    LevelSpec(
        seed=-12345678901234, width=9, depth=40, density=1.0, origin=(-1000, 999_999_000), algorithm="wilson"
    ): "1105534e1ab80ac29435912278d27b179029e4d48d0c379587f985cc60d688a6",
    LevelSpec(
        seed=2**63, width=30, depth=30, chunk_size=8, room_min=3, room_max=6, origin=(5, -7)
    ): "368a3daa9ffec02e56f08ba288584788ab38456feb17875a4353b60123c989f1",
}

FAR = 10**9 - 200
algorithms = st.sampled_from(sorted(ALGORITHMS))
specs = st.builds(
    LevelSpec,
    seed=st.integers(-(1 << 63), (1 << 64) - 1),
    width=st.integers(1, 40),
    depth=st.integers(1, 40),
    density=st.floats(0.0, 1.0),
    origin=st.tuples(st.integers(-FAR, FAR), st.integers(-FAR, FAR)),
    algorithm=algorithms,
    chunk_size=st.sampled_from([8, 9, 16]),
)


@st.composite
def chunk_windows(draw: st.DrawFn) -> LevelSpec:
    """Specs whose region is exactly a block of whole chunks."""
    size = draw(st.sampled_from([4, 6, 8, 16]))
    room_max = draw(st.integers(1, size))
    return LevelSpec(
        seed=draw(st.integers(0, (1 << 64) - 1)),
        chunk_size=size,
        width=size * draw(st.integers(1, 3)),
        depth=size * draw(st.integers(1, 3)),
        origin=(
            size * draw(st.integers(-(10**9 // size), 10**9 // size - 3)),
            size * draw(st.integers(-(10**9 // size), 10**9 // size - 3)),
        ),
        density=draw(st.floats(0.0, 1.0)),
        algorithm=draw(algorithms),
        room_min=draw(st.integers(1, room_max)),
        room_max=room_max,
    )


def test_golden_digests() -> None:
    for spec, digest in GOLDEN_DIGESTS.items():
        assert build_layout(spec).digest() == digest, spec


@given(specs)
def test_neighbouring_cells_agree_about_shared_walls(spec: LevelSpec) -> None:
    cells = build_layout(spec).cells().astype(int)
    assert ((cells[:, :-1] & EAST) > 0).tolist() == ((cells[:, 1:] & WEST) > 0).tolist()
    assert ((cells[:-1, :] & NORTH) > 0).tolist() == ((cells[1:, :] & SOUTH) > 0).tolist()


@given(chunk_windows())
def test_a_chunk_aligned_window_is_one_walkable_area(spec: LevelSpec) -> None:
    layout = build_layout(spec)
    assert walkable_components(layout) == 1
    assert (~layout.solid).sum() > 0.8 * spec.width * spec.depth


@given(specs, st.integers(1, 40), st.booleans())
def test_adjacent_regions_join_without_a_seam(spec: LevelSpec, extra: int, along_x: bool) -> None:
    whole, second = split_region(spec, extra, along_x)
    joined = np.concatenate([build_layout(spec).cells(), build_layout(second).cells()], axis=1 if along_x else 0)
    np.testing.assert_array_equal(joined, build_layout(whole).cells())


@given(specs, st.integers(1, 4), st.integers(2, 5))
def test_a_big_window_carved_in_halves_is_the_window_carved_whole(spec: LevelSpec, columns: int, rows: int) -> None:
    """Big layouts are carved as two halves in two threads: the same walls and pillars."""
    first = (spec.origin[0] // spec.chunk_size, spec.origin[1] // spec.chunk_size)
    with mock.patch.object(layout_module, "SPLIT_CHUNKS", 2):
        halves = layout_module.chunk_layout(spec, first, (columns, rows))
    whole = layout_module._chunks_carved(spec, first, (columns, rows))
    for name in ("walls_h", "walls_v", "solid"):
        np.testing.assert_array_equal(getattr(halves, name), getattr(whole, name), err_msg=name)
    assert halves.origin == whole.origin


@given(specs)
def test_a_cell_does_not_depend_on_the_region_around_it(spec: LevelSpec) -> None:
    layout = build_layout(spec)
    ox, oy = spec.origin
    i, j = spec.width // 2, spec.depth // 2
    alone = build_layout(spec.replace(width=1, depth=1, origin=[ox + i, oy + j]))
    assert alone.cells()[0, 0] == layout.cells()[j, i]


@given(chunk_windows(), st.sampled_from(sorted(ALGORITHMS)))
def test_every_algorithm_keeps_the_chunk_borders(spec: LevelSpec, other: str) -> None:
    a = build_layout(spec)
    b = build_layout(spec.replace(algorithm=other))
    size = spec.chunk_size
    # Chunk borders come from the world, not from the algorithm: identical for every algorithm.
    np.testing.assert_array_equal(a.walls_v[:, ::size], b.walls_v[:, ::size])
    np.testing.assert_array_equal(a.walls_h[::size, :], b.walls_h[::size, :])
    # ... and each chunk side keeps at least one opening.
    for column in a.walls_v[:, ::size].T:
        assert not column.reshape(-1, size).all(axis=1).any()
    for row in a.walls_h[::size, :]:
        assert not row.reshape(-1, size).all(axis=1).any()


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_each_algorithm_at_full_density_connects_every_cell(algorithm: str) -> None:
    spec = LevelSpec(seed=3, width=32, depth=32, density=1.0, algorithm=algorithm)
    layout = build_layout(spec)
    assert reachable_cells(layout, _first_walkable(layout)) == (~layout.solid).sum()
    inner = 2 * 16 * 15 * 4  # inner edges of the four chunks
    if algorithm not in ("backrooms", "division"):
        # A spanning tree per chunk: exactly cells - 1 passages inside each chunk.
        v_inner = np.delete(layout.walls_v, np.s_[::16], axis=1)
        h_inner = np.delete(layout.walls_h, np.s_[::16], axis=0)
        assert inner - (v_inner.sum() + h_inner.sum()) == 4 * (16 * 16 - 1)


def _first_walkable(layout) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    y, x = np.argwhere(~layout.solid)[0]
    return int(x), int(y)


@given(specs, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_walls_grow_with_density(spec: LevelSpec, a: float, b: float) -> None:
    low, high = sorted((a, b))
    sparse = build_layout(spec.replace(density=low))
    dense = build_layout(spec.replace(density=high))
    # Not just fewer walls: every wall of the sparse level is also in the dense one.
    assert not (sparse.walls_h & ~dense.walls_h).any()
    assert not (sparse.walls_v & ~dense.walls_v).any()


def test_density_changes_the_wall_count_smoothly() -> None:
    spec = LevelSpec(seed=5, width=96, depth=96)
    counts = [build_layout(spec.replace(density=d / 20)).wall_count() for d in range(21)]
    steps = np.diff(counts)
    assert (steps >= 0).all()
    assert counts[-1] > 3 * counts[0]
    assert steps.max() < 0.15 * (counts[-1] - counts[0]), "no single jump dominates"


def test_density_zero_is_an_open_hall_with_pillars_and_stubs() -> None:
    layout = build_layout(LevelSpec(seed=9, width=64, depth=64, density=0.0))
    inner_walls = layout.walls_h[1:-1].sum() + layout.walls_v[:, 1:-1].sum()
    assert 0 < inner_walls < 0.08 * 2 * 64 * 63, "only stubs stand"
    assert layout.solid.sum() >= 20, "pillars break up the hall"


def test_backrooms_has_wide_halls_and_narrow_corridors() -> None:
    layout = build_layout(LevelSpec(seed=4, width=96, depth=96, density=0.9))
    cells = layout.cells().astype(int)
    corridor = ((cells & EAST) > 0) & ((cells & WEST) > 0) & ((cells & NORTH) == 0) & ((cells & SOUTH) == 0)
    corridor |= ((cells & NORTH) > 0) & ((cells & SOUTH) > 0) & ((cells & EAST) == 0) & ((cells & WEST) == 0)
    open_cells = cells == 0
    assert corridor.mean() > 0.03 and open_cells.mean() > 0.2


def test_far_origins_work_and_differ() -> None:
    near = build_layout(LevelSpec(seed=1, width=40, depth=40))
    far = build_layout(LevelSpec(seed=1, width=40, depth=40, origin=(10**9 - 40, -(10**9))))
    assert far.cells().shape == near.cells().shape
    assert far.digest() != near.digest()


def test_seeds_differ() -> None:
    digests = {build_layout(LevelSpec(seed=seed, width=12, depth=12)).digest() for seed in range(20)}
    assert len(digests) == 20


def test_same_layout_in_a_fresh_process() -> None:
    spec = LevelSpec(seed=99, width=30, depth=17, density=0.4, origin=(123, -456))
    code = (
        "from backrooms_addon.core import LevelSpec; from backrooms_addon.core.layout import build_layout; "
        f"print(build_layout(LevelSpec.from_dict({spec.to_dict()!r})).digest())"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == build_layout(spec).digest()


def test_pillars_never_touch_and_stand_in_the_open() -> None:
    layout = build_layout(LevelSpec(seed=2, width=80, depth=80, density=0.2))
    ys, xs = np.nonzero(layout.solid)
    assert len(ys) > 10
    for y, x in zip(ys, xs, strict=True):
        around = layout.solid[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2]
        assert around.sum() == 1
        assert layout.cells()[y, x] == SOLID, "a pillar's cell has no walls"


def test_too_large_a_level_is_refused_with_an_estimate() -> None:
    expected = r"^width: a 100000 x 100000 cell level of 1 floor\(s\) would need about \d+"
    with pytest.raises(InvalidSpecError, match=expected):
        LevelSpec(width=100_000, depth=100_000)
