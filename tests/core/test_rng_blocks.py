"""Large hashes, worked a block at a time, are the same numbers as small ones."""

from __future__ import annotations

import numpy as np

from backrooms_addon.core.rng import LARGE, hash64, uniform


def test_large_arrays_hash_as_their_parts() -> None:
    x = (np.arange(8000 * (LARGE // 8000 + 1), dtype=np.int64) - LARGE) * 7919  # over LARGE, 8000s of them
    y = x[::-1]  # a view, backwards
    whole = hash64(3, 9, x, -5, y)
    parts = [hash64(3, 9, x[i : i + 1000], -5, y[i : i + 1000]) for i in range(0, len(x), 1000)]
    assert whole.dtype == np.uint64 and whole.tobytes() == np.concatenate(parts).tobytes()
    draws = uniform(3, 9, x.reshape(-1, 1000), 1 << 40)
    assert draws.shape == (len(x) // 1000, 1000)
    assert draws.tobytes() == np.concatenate([uniform(3, 9, part, 1 << 40) for part in np.split(x, 8)]).tobytes()


def test_broadcast_coordinates_hash_as_the_whole_grid() -> None:
    rows, columns = np.arange(600, dtype=np.int64)[:, None], np.arange(-300, 300, dtype=np.int64)[None, :]
    grid = np.broadcast_arrays(rows, columns)
    assert hash64(1, 2, rows, columns).tobytes() == hash64(1, 2, *grid).tobytes()
    assert uniform(1, 2, columns, rows).tobytes() == uniform(1, 2, grid[1].copy(), grid[0].copy()).tobytes()
