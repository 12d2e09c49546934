"""The hum of the lights: a fluorescent ballast's sound synthesised with numpy, written as a WAV."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .rng import uniform

RATE = 44_100
MAINS_HZ = 60.0
_STREAM = 0x48554D21  # "HUM!"


def hum_samples(seconds: float = 12.0, rate: int = RATE, seed: int = 0) -> npt.NDArray[np.float64]:
    """A hum in [-1, 1]: 60 Hz mains, its 120 Hz magnetostriction buzz and their harmonics, plus a
    faint rasp of ballast buzz that swells with the 120 Hz cycle.

    One second is synthesised and repeated: a whole number of mains cycles, so it joins without a
    click. Twelve seconds outlast Blender's default 250 frames at 24 fps.
    """
    return np.tile(_one_second(rate, seed), _seconds(seconds))


def _one_second(rate: int, seed: int) -> npt.NDArray[np.float64]:
    count = rate
    t = np.arange(count) / rate
    tone = 0.35 * np.sin(2 * np.pi * MAINS_HZ * t)
    buzz = 0.55 * np.sin(2 * np.pi * 2 * MAINS_HZ * t)
    for harmonic, gain in ((3, 0.12), (4, 0.18), (6, 0.08), (8, 0.05), (10, 0.03)):
        buzz += gain * np.sin(2 * np.pi * harmonic * MAINS_HZ * t + harmonic)
    noise = uniform(seed, _STREAM, np.arange(count)) * 2 - 1
    rasp = 0.06 * noise * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * MAINS_HZ * t)) ** 4
    signal: npt.NDArray[np.float64] = tone + buzz + rasp
    normalised: npt.NDArray[np.float64] = signal / np.abs(signal).max()
    return normalised


def write_wav(path: Path, samples: npt.NDArray[np.float64], rate: int = RATE) -> None:
    """16-bit mono PCM, at 80% of full scale."""
    _write_pcm(path, _pcm(samples), rate)


def write_hum(path: Path, seconds: float = 12.0, rate: int = RATE, seed: int = 0) -> None:
    """The hum (hum_samples) as write_wav writes it, byte for byte, from one second's PCM repeated."""
    _write_pcm(path, _pcm(_one_second(rate, seed)) * _seconds(seconds), rate)


def _seconds(seconds: float) -> int:
    """Whole seconds of the one-second loop: at least one."""
    return max(1, round(seconds))


def _pcm(samples: npt.NDArray[np.float64]) -> bytes:
    pcm: bytes = np.clip(np.rint(samples * 32767 * 0.8), -32768, 32767).astype("<i2").tobytes()
    return pcm


def _write_pcm(path: Path, pcm: bytes, rate: int) -> None:
    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(pcm)
