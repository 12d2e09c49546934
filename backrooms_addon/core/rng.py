"""Counter-based random numbers: a pure integer hash of (seed, stream, coordinates)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

U64 = np.uint64
_MASK = (1 << 64) - 1
# Odd constants from SplitMix64 and the golden ratio; any fixed odd values would do,
# but they are part of the generator version: changing one changes every level.
_GOLDEN_INT, _MIX1_INT, _MIX2_INT = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
GOLDEN, _MIX1, _MIX2 = U64(_GOLDEN_INT), U64(_MIX1_INT), U64(_MIX2_INT)

UInt64Array = npt.NDArray[np.uint64]
Out = TypeVar("Out", np.uint64, np.float64)
BLOCK = 1 << 14  # elements hashed together
LARGE = 1 << 16  # elements from which hashing a block at a time pays: below, it all stays in cache


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
    if x.ndim:  # an array's integer arithmetic wraps silently; only numpy scalars warn
        return _avalanche(x)
    with np.errstate(over="ignore"):
        return np.asarray(_avalanche(x), dtype=np.uint64)


def _avalanche(x: UInt64Array) -> UInt64Array:
    x = x ^ (x >> U64(30))
    x = x * _MIX1
    x = x ^ (x >> U64(27))
    x = x * _MIX2
    mixed: UInt64Array = x ^ (x >> U64(31))
    return mixed


def mix_int(x: int) -> int:
    """mix64 of one value as a Python int (0 <= x < 2**64), the same bits: a level's seeds and
    streams are mixed many times over, and numpy's scalars cost far more than the arithmetic."""
    x ^= x >> 30
    x = (x * _MIX1_INT) & _MASK
    x ^= x >> 27
    x = (x * _MIX2_INT) & _MASK
    return x ^ (x >> 31)


def times_golden(step: int) -> np.uint64:
    """step * GOLDEN, wrapped to 64 bits, as the uint64 that array arithmetic takes silently."""
    return U64((step * _GOLDEN_INT) & _MASK)


def hash64(seed: int, stream: int, *coords: int | npt.ArrayLike) -> UInt64Array:
    """Hash a seed, a stream id and integer coordinates (broadcast together) to uint64."""
    return _blockwise(_hash64, seed, stream, coords, np.uint64)


def uniform(seed: int, stream: int, *coords: int | npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Uniform floats in [0, 1) from the top 53 bits of hash64."""
    return _blockwise(_uniform, seed, stream, coords, np.float64)


def _hash64(seed: int, stream: int, *coords: int | npt.ArrayLike) -> UInt64Array:
    # Single values are mixed as Python ints, arrays with numpy, the same bits either way; the
    # added constants keep an all-zero input from hashing to zero.
    h = _mixed(seed, _MIX1_INT)
    for value in (stream, *coords):
        mixed = _mixed(value, _GOLDEN_INT)
        if isinstance(h, int) and isinstance(mixed, int):
            h = mix_int(((h ^ mixed) + _MIX2_INT) & _MASK)
        else:
            h = mix64((_as_u64(h) ^ _as_u64(mixed)) + _MIX2)
    return np.asarray(h, dtype=np.uint64)


def _mixed(value: int | npt.ArrayLike, offset: int) -> int | UInt64Array:
    """mix64(value + offset): a Python int for a single value, an array for an array."""
    if isinstance(value, int):  # the usual case (bools too)
        return mix_int(((value & _MASK) + offset) & _MASK)
    if np.ndim(value) == 0:  # numpy scalars, 0-d arrays, floats: read as to_u64 reads them
        return mix_int((int(to_u64(value)) + offset) & _MASK)
    return mix64(to_u64(value) + U64(offset))


def _as_u64(value: int | UInt64Array) -> UInt64Array:
    return value if isinstance(value, np.ndarray) else np.asarray(value, dtype=np.uint64)


def _uniform(seed: int, stream: int, *coords: int | npt.ArrayLike) -> npt.NDArray[np.float64]:
    bits = _hash64(seed, stream, *coords) >> U64(11)
    return bits.astype(np.float64) * (1.0 / (1 << 53))


def _blockwise(
    hashed: Callable[..., npt.NDArray[Out]],
    seed: int,
    stream: int,
    coords: tuple[int | npt.ArrayLike, ...],
    dtype: type[Out],
) -> npt.NDArray[Out]:
    """hashed(seed, stream, *coords), a block of elements at a time where the coordinates are
    whole arrays of one shape: a block's steps run in cache, where a step over the whole
    arrays would go out to memory a dozen times. Broadcast coordinates (a row and a column) are
    hashed as they come, each mixed once along its own axis."""
    shape = np.broadcast_shapes(*(np.shape(value) for value in coords))
    size = math.prod(shape)
    if size <= LARGE or any(np.ndim(value) and np.shape(value) != shape for value in coords):
        return hashed(seed, stream, *coords)
    flat = [np.ravel(value) if np.ndim(value) else value for value in coords]
    out = np.empty(size, dtype)
    for begin in range(0, size, BLOCK):
        block = slice(begin, begin + BLOCK)
        out[block] = hashed(seed, stream, *(_part(value, block) for value in flat))
    return out.reshape(shape)


def _part(value: int | npt.ArrayLike, block: slice) -> int | npt.ArrayLike:
    """A block of a flattened coordinate; a single value stays as it is."""
    return value[block] if isinstance(value, np.ndarray) and value.ndim else value
