"""Render presets: how a level is rendered for a quick look and for a final picture, in Cycles or EEVEE."""

from __future__ import annotations

from dataclasses import dataclass

ENGINES = ("cycles", "eevee")
ENGINE_LABELS = {"cycles": "Cycles", "eevee": "EEVEE"}
QUALITIES = ("preview", "final", "footage")
FOOTAGE_RESOLUTION = (640, 480)  # 4:3, a camcorder's frame


@dataclass(frozen=True)
class RenderPreset:
    """One engine's settings. Cycles samples lamps and emissive troffers with its light tree;
    EEVEE's samples are its anti-aliasing passes (bounces and denoising are Cycles' alone)."""

    label: str
    samples: int
    resolution: tuple[int, int]
    max_bounces: int
    denoise: bool
    exposure: float = 0.0  # stops
    engine: str = "cycles"
    high_quality: bool = False  # EEVEE: full-resolution ray tracing and shadows, for a final picture


RENDER_PRESETS: dict[str, RenderPreset] = {
    "preview": RenderPreset("Fast Preview", samples=16, resolution=(800, 450), max_bounces=4, denoise=True),
    "final": RenderPreset("Final", samples=256, resolution=(1920, 1080), max_bounces=8, denoise=True),
    "eevee_preview": RenderPreset(
        "EEVEE Preview", samples=16, resolution=(800, 450), max_bounces=0, denoise=False, engine="eevee"
    ),
    "eevee_final": RenderPreset(
        "EEVEE Final",
        samples=128,
        resolution=(1920, 1080),
        max_bounces=0,
        denoise=False,
        engine="eevee",
        high_quality=True,
    ),
    # Frames of a walk: a tape's size, few samples and the denoiser, so footage renders anywhere.
    "footage": RenderPreset("Footage", samples=16, resolution=FOOTAGE_RESOLUTION, max_bounces=4, denoise=True),
    "eevee_footage": RenderPreset(
        "EEVEE Footage", samples=16, resolution=FOOTAGE_RESOLUTION, max_bounces=0, denoise=False, engine="eevee"
    ),
}


def preset_key(engine: str, quality: str) -> str:
    """The preset of `engine` for a quick look ("preview"), a final picture ("final") or the frames
    of footage ("footage"): the Cycles ones are named by the quality alone."""
    return quality if engine == "cycles" else f"{engine}_{quality}"
