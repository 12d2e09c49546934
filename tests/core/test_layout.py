"""Layouts: connected, closed, deterministic, and monotonic in density."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from level_checks import reachable_cells

from backrooms_addon.core import LevelSpec
from backrooms_addon.core.layout import build_layout

# Layout digests of reference levels. A change here changes what users' seeds produce:
# make it on purpose and bump GENERATOR_VERSION.
GOLDEN_DIGESTS = {
    LevelSpec(seed=7): "cb43f7b4c95104251d80d395ea2031ded16415747667db641a0fe38f621602b2",
    LevelSpec(
        seed=0, width=64, depth=48, density=0.3
    ): "de3b5370b3101ad273dda8a76826d77dba5a97e16f6079e49a07d7c243b0be32",
    LevelSpec(
        seed=-12345678901234, width=9, depth=40, density=1.0, origin=(-1000, 999_999_000)
    ): "d282d9c5f2e790a95f134664fe483eda009799503c127de0b04762581acdc4bf",
}

specs = st.builds(
    LevelSpec,
    seed=st.integers(-(1 << 63), (1 << 64) - 1),
    width=st.integers(2, 40),
    depth=st.integers(2, 40),
    density=st.floats(0.0, 1.0),
    origin=st.tuples(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9)),
)


def test_golden_digests() -> None:
    for spec, digest in GOLDEN_DIGESTS.items():
        assert build_layout(spec).digest() == digest, spec


@given(specs)
def test_every_cell_is_reachable(spec: LevelSpec) -> None:
    layout = build_layout(spec)
    assert reachable_cells(layout) == spec.width * spec.depth


@given(specs)
def test_perimeter_is_closed_and_shapes_match(spec: LevelSpec) -> None:
    layout = build_layout(spec)
    assert layout.walls_h.shape == (spec.depth + 1, spec.width)
    assert layout.walls_v.shape == (spec.depth, spec.width + 1)
    assert layout.walls_h[0].all() and layout.walls_h[-1].all()
    assert layout.walls_v[:, 0].all() and layout.walls_v[:, -1].all()


@given(specs, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_walls_grow_with_density(spec: LevelSpec, a: float, b: float) -> None:
    low, high = sorted((a, b))
    sparse = build_layout(spec.replace(density=low))
    dense = build_layout(spec.replace(density=high))
    # Not just fewer walls: every wall of the sparse level is also in the dense one.
    assert not (sparse.walls_h & ~dense.walls_h).any()
    assert not (sparse.walls_v & ~dense.walls_v).any()


def test_density_extremes() -> None:
    spec = LevelSpec(seed=5, width=20, depth=20)
    perimeter = 2 * (20 + 20)
    open_hall = build_layout(spec.replace(density=0.0))
    assert open_hall.wall_count() == perimeter
    maze = build_layout(spec.replace(density=1.0))
    # A perfect maze on n cells removes exactly n - 1 interior edges.
    interior_edges = 2 * 20 * 19
    assert maze.wall_count() == perimeter + interior_edges - (20 * 20 - 1)


def test_seeds_differ() -> None:
    digests = {build_layout(LevelSpec(seed=seed, width=12, depth=12)).digest() for seed in range(20)}
    assert len(digests) == 20


def test_same_layout_in_a_fresh_process() -> None:
    spec = LevelSpec(seed=99, width=30, depth=17, density=0.4, origin=(123, -456))
    code = (
        "from backrooms_addon.core import LevelSpec; from backrooms_addon.core.layout import build_layout; "
        f"print(build_layout(LevelSpec.from_dict({spec.to_dict()!r})).digest())"
    )
    from paths import ROOT

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == build_layout(spec).digest()


def test_layout_is_not_a_grid_of_identical_rooms() -> None:
    layout = build_layout(LevelSpec(seed=3, width=40, depth=40))
    rows = {row.tobytes() for row in layout.walls_h[1:-1]}
    assert len(rows) > 30
    assert 0.2 < np.mean(layout.walls_v[:, 1:-1]) < 0.8
