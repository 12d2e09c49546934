"""Counter-based random numbers: a pure integer hash of (seed, stream, coordinates)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = np.uint64
_MASK = (1 << 64) - 1
# Odd constants from SplitMix64 and the golden ratio; any fixed odd values would do,
# but they are part of the generator version: changing one changes every level.
GOLDEN = U64(0x9E3779B97F4A7C15)
_MIX1 = U64(0xBF58476D1CE4E5B9)
_MIX2 = U64(0x94D049BB133111EB)

UInt64Array = npt.NDArray[np.uint64]


def to_u64(values: int | npt.ArrayLike) -> UInt64Array:
    """Reinterpret any integers (negative ones included) as uint64 bit patterns."""
    if isinstance(values, int):
        return np.asarray(values & _MASK, dtype=np.uint64)
    array = np.asarray(values)
    if array.dtype == np.uint64:
        return array
    return array.astype(np.int64).view(np.uint64)


def mix64(x: UInt64Array) -> UInt64Array:
    """SplitMix64 finaliser: a bijective avalanche on uint64 arrays."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = x ^ (x >> U64(30))
        x = x * _MIX1
        x = x ^ (x >> U64(27))
        x = x * _MIX2
        return np.asarray(x ^ (x >> U64(31)), dtype=np.uint64)


def hash64(seed: int, stream: int, *coords: int | npt.ArrayLike) -> UInt64Array:
    """Hash a seed, a stream id and integer coordinates (broadcast together) to uint64."""
    with np.errstate(over="ignore"):
        h = mix64(to_u64(seed) + _MIX1)
        for value in (stream, *coords):
            # The added constants keep an all-zero input from hashing to zero.
            h = mix64((h ^ mix64(to_u64(value) + GOLDEN)) + _MIX2)
    return h


def uniform(seed: int, stream: int, *coords: int | npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Uniform floats in [0, 1) from the top 53 bits of hash64."""
    bits = hash64(seed, stream, *coords) >> U64(11)
    return bits.astype(np.float64) * (1.0 / (1 << 53))
