"""EEVEE's scene settings for a level: ray-traced indirect light, so rooms lit from inside look as in Cycles.

A level is lit mostly by light bouncing off the floor and walls (the ceiling gets nothing else),
and EEVEE without ray tracing has no bounce light but the world's, which is almost black: only the
carpet under the lamps shows. Generating therefore turns on EEVEE's screen-space ray tracing and
its horizon-scan global illumination (fast GI), whichever engine the scene renders with: the
settings only matter when EEVEE renders, and Cycles reads none of them.

What screen-space light still misses (the bounces after the first, emissive troffers off screen or
beyond the light budget) is made up by the lamps' EEVEE-only diffuse factor, which Cycles ignores.
"""

from __future__ import annotations

import bpy

from ..core.styles import Style

# Horizon scan: more rays and steps than the defaults (2, 8) keep the bounce light in the long
# halls from breaking up at few samples; a thicker near field lets it reach round wall ends.
FAST_GI_RAYS = 4
FAST_GI_STEPS = 16
FAST_GI_THICKNESS_NEAR = 1.0


def set_up_eevee(scene: bpy.types.Scene) -> None:
    """Give the scene's EEVEE settings ray-traced bounce light; the render engine is left alone."""
    eevee = scene.eevee
    eevee.use_raytracing = True
    eevee.ray_tracing_method = "SCREEN"  # rays that miss the screen fall back to the light probes
    if hasattr(eevee, "use_fast_gi"):  # from Blender 4.3; in 4.2 rough surfaces always use it
        eevee.use_fast_gi = True
    eevee.fast_gi_method = "GLOBAL_ILLUMINATION"
    eevee.fast_gi_distance = 0.0  # unlimited: a hall's far wall still bounces light
    eevee.fast_gi_ray_count = FAST_GI_RAYS
    eevee.fast_gi_step_count = FAST_GI_STEPS
    eevee.fast_gi_thickness_near = FAST_GI_THICKNESS_NEAR
    eevee.use_shadows = True


def light_for_eevee(light: bpy.types.Light, style: Style) -> None:
    """A level lamp as EEVEE should see it: its diffuse light scaled up for the bounces EEVEE misses
    (Cycles ignores a light's diffuse factor, so Cycles renders stay as they are)."""
    light.diffuse_factor = style.eevee_diffuse_gain
