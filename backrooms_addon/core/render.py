"""Render presets: how a level is rendered for a quick look and for a final picture."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderPreset:
    """Cycles settings; lamps and emissive troffers are sampled with Cycles' light tree."""

    label: str
    samples: int
    resolution: tuple[int, int]
    max_bounces: int
    denoise: bool
    exposure: float = 0.0  # stops


RENDER_PRESETS: dict[str, RenderPreset] = {
    "preview": RenderPreset("Fast Preview", samples=16, resolution=(800, 450), max_bounces=4, denoise=True),
    "final": RenderPreset("Final", samples=256, resolution=(1920, 1080), max_bounces=8, denoise=True),
}
