"""Make the seamless textures in materials/textures/ (base colour, roughness, normal) with numpy.

Deterministic: white noise comes from the generator's own counter-based hash, filtered in the
frequency domain so every texture tiles seamlessly. A level kit's textures are made by
materials/levels/<level>_textures.py (a TEXTURES dict like this one's, built with the helpers
here: `from make_textures import noise, tint, normal_map`). Run from the repository root:
`.venv-5.0/bin/python materials/make_textures.py`. Needs numpy and Pillow (a development tool,
in requirements-dev.txt), which writes the PNGs.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for the levels' texture scripts

from backrooms_addon.core.rng import uniform

F = npt.NDArray[np.float64]
SIZE = 256
OUT = Path(__file__).resolve().parent / "textures"


def noise(stream: int, scale: float, size: int = SIZE) -> F:
    """Tileable noise in [0, 1]: white noise low-passed around `scale` cycles per tile."""
    y, x = np.mgrid[0:size, 0:size]
    white = uniform(7, stream, x, y) - 0.5
    fy, fx = np.meshgrid(np.fft.fftfreq(size) * size, np.fft.fftfreq(size) * size, indexing="ij")
    radius = np.hypot(fx, fy)
    spectrum = np.fft.fft2(white) * np.exp(-((radius / scale) ** 2))
    field = np.real(np.fft.ifft2(spectrum))
    field -= field.min()
    return field / max(field.max(), 1e-12)


def srgb(hex_colour: str) -> F:
    return np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def tint(base: str, shade: F, strength: float) -> F:
    """A colour image: base colour darkened or lightened by shade (0.5 is neutral)."""
    return np.clip(srgb(base)[None, None, :] * (1 + strength * (shade[..., None] - 0.5)), 0, 1)


def normal_map(height: F, strength: float) -> F:
    """Tangent-space normal map (OpenGL convention, +y up) from a tileable height field."""
    dx = (np.roll(height, -1, axis=1) - np.roll(height, 1, axis=1)) * strength
    dy = (np.roll(height, 1, axis=0) - np.roll(height, -1, axis=0)) * strength
    n = np.stack([-dx, -dy, np.ones_like(height)], -1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    return n * 0.5 + 0.5


def wallpaper() -> dict[str, F]:
    """Faded yellow with thin vertical stripes (8 per tile, a tile is 1 m) and paper grain."""
    x = np.arange(SIZE) / SIZE
    stripes = (np.abs(((x * 8) % 1) - 0.5) < 0.06).astype(float)[None, :] * np.ones((SIZE, 1))
    grain = noise(1, 40)
    blotch = noise(2, 3)
    shade = 0.5 - 0.35 * stripes * 0.5 + 0.25 * (grain - 0.5) + 0.4 * (blotch - 0.5)
    return {
        "color": tint("#CDB85E", shade, 0.35),
        "roughness": 0.78 + 0.1 * grain[..., None] * np.ones(3),
        "normal": normal_map(0.6 * grain - 0.4 * stripes, 2.0),
    }


def carpet() -> dict[str, F]:
    """Low-pile carpet: fine pile noise and larger mottling (a tile is 2 m)."""
    pile = noise(3, 90)
    mottle = noise(4, 6)
    shade = 0.5 + 0.45 * (pile - 0.5) + 0.5 * (mottle - 0.5)
    return {
        "color": tint("#9C8A5C", shade, 0.45),
        "roughness": (0.92 + 0.06 * pile)[..., None] * np.ones(3),
        "normal": normal_map(pile, 4.0),
    }


def ceiling_tile() -> dict[str, F]:
    """One 0.6 m acoustic tile per texture: fissured surface inside a grid groove."""
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    edge = np.minimum(np.minimum(x, 1 - x), np.minimum(y, 1 - y))
    groove = (edge < 0.02).astype(float)
    fissures = (noise(5, 60) < 0.2).astype(float) * (1 - groove)
    speckle = noise(6, 100)
    shade = 0.55 - 0.5 * groove - 0.25 * fissures + 0.15 * (speckle - 0.5)
    height = 1 - groove - 0.3 * fissures
    return {
        "color": tint("#D9D4BF", shade, 0.35),
        "roughness": np.full((SIZE, SIZE, 3), 0.9),
        "normal": normal_map(height, 3.0),
    }


def baseboard() -> dict[str, F]:
    grain = noise(7, 30)
    return {
        "color": tint("#8A7A4E", 0.5 + 0.3 * (grain - 0.5), 0.3),
        "roughness": np.full((SIZE, SIZE, 3), 0.55),
        "normal": normal_map(grain, 0.5),
    }


def diffuser() -> dict[str, F]:
    """A troffer seen from below (0.6 x 1.2 m over the square): a painted metal lip, 4 cm wide,
    around a prismatic diffuser, a fine lattice of small pyramids. 'glow' is 1 on the diffuser
    and 0 on the lip, so only the diffuser emits light."""
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    lip = (np.minimum(x, 1 - x) < 0.04 / 0.6) | (np.minimum(y, 1 - y) < 0.04 / 1.2)
    cells = 24
    px, py = (x * cells) % 1 - 0.5, (y * cells * 2) % 1 - 0.5
    pyramid = 1 - 2 * np.maximum(np.abs(px), np.abs(py))
    prisms = np.clip(0.85 + 0.15 * pyramid, 0, 1)
    metal = srgb("#E6E2D6").mean()
    return {
        "color": np.where(lip, metal, prisms)[..., None] * np.ones(3),
        "glow": np.where(lip, 0.0, 1.0)[..., None] * np.ones(3),
        "roughness": np.where(lip, 0.45, 0.3)[..., None] * np.ones(3),
        "normal": normal_map(np.where(lip, 0.0, pyramid), 1.5),
    }


def concrete() -> dict[str, F]:
    """Cast concrete walls and ceiling (a tile is 2 m): mottled grey, pores, faint form-board seams."""
    y = np.arange(SIZE) / SIZE
    seams = (np.abs(((y * 4) % 1) - 0.5) > 0.49).astype(float)[:, None] * np.ones((1, SIZE))
    mottle, pores, stains = noise(11, 5), noise(12, 110), noise(13, 2)
    shade = 0.5 + 0.35 * (mottle - 0.5) - 0.3 * (pores < 0.12) - 0.15 * seams + 0.3 * (stains - 0.5)
    return {
        "color": tint("#6E6C66", shade, 0.55),
        "roughness": (0.86 + 0.1 * pores)[..., None] * np.ones(3),
        "normal": normal_map(0.5 * pores - 0.6 * seams + 0.3 * mottle, 2.5),
    }


def concrete_floor() -> dict[str, F]:
    """A worn, sealed concrete floor (a tile is 4 m): darker, smoother, with hairline cracks."""
    mottle, grain = noise(14, 4), noise(15, 80)
    cracks = (np.abs(noise(16, 5) - 0.5) < 0.004).astype(float)
    shade = 0.5 + 0.3 * (mottle - 0.5) + 0.15 * (grain - 0.5) - 0.25 * cracks
    return {
        "color": tint("#4E4D4A", shade, 0.6),
        "roughness": (0.7 + 0.15 * grain)[..., None] * np.ones(3),
        "normal": normal_map(0.3 * grain - 0.8 * cracks, 2.0),
    }


def courtyard_plaster() -> dict[str, F]:
    """Level 188's pale weathered plaster (a tile is 2 m): soft mottling, trowel marks, fine grain
    and faint streaks where rain ran down."""
    mottle, grain, trowel = noise(1881, 3), noise(1882, 90), noise(1883, 14)
    columns = noise(1884, 30)[0]  # one row of noise: where along the wall water ran down
    streaks = np.clip((columns - 0.6) * 3, 0, 1)[None, :] * np.clip(noise(1885, 5) * 2 - 0.6, 0, 1)
    shade = 0.5 + 0.3 * (mottle - 0.5) + 0.12 * (grain - 0.5) + 0.12 * (trowel - 0.5) - 0.12 * streaks
    return {
        "color": tint("#D9CFB8", shade, 0.4),
        "roughness": (0.82 + 0.12 * grain)[..., None] * np.ones(3),
        "normal": normal_map(0.5 * grain + 0.8 * trowel, 1.5),
    }


def courtyard_paving() -> dict[str, F]:
    """Level 188's paving: square 0.6 m stone slabs, four by four over a 2.4 m tile, each slab its
    own shade, with dark joints, bevelled edges, grain and grime."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    per = SIZE // 4
    fx, fy = (x % per) / per, (y % per) / per
    edge = np.minimum(np.minimum(fx, 1 - fx), np.minimum(fy, 1 - fy))
    joint = (edge < 0.02).astype(float)
    slab = uniform(7, 1886, x // per, y // per)
    grain, grime = noise(1887, 100), noise(1888, 4)
    shade = 0.5 + 0.25 * (slab - 0.5) + 0.15 * (grain - 0.5) + 0.25 * (grime - 0.5) - 0.5 * joint
    return {
        "color": tint("#9E9A92", shade, 0.6),
        "roughness": (0.8 + 0.15 * grain - 0.1 * (grime < 0.3))[..., None] * np.ones(3),
        "normal": normal_map(np.clip(edge / 0.05, 0, 1) + 0.2 * grain, 3.0),
    }


def pool_tile() -> dict[str, F]:
    """Level 37's glazed pool tiles, 0.24 m: five by five over a 1.2 m texture (so at the default
    2.4 m cells the grout lines meet the pools' edges), white with a faint cool cast, each tile a
    shade of its own, in narrow grey grout; a glossy glaze that rounds over the tiles' edges."""
    size = 2 * SIZE  # 512 px: grout lines of a few pixels stay sharp
    per = size / 5
    centre = np.arange(size) + 0.5
    # Distance (px) from each pixel centre to the nearest grout line, along x and along y.
    across = np.abs(((centre / per) + 0.5) % 1 - 0.5) * per
    edge = np.minimum(across[None, :], across[:, None])
    grout = np.clip(2.2 - edge, 0, 1)  # about 5 mm wide, anti-aliased
    index = (centre // per).astype(np.int64)  # which tile, along x or y
    tile = uniform(7, 371, index[None, :], index[:, None])
    glaze, dirt = noise(372, 40, size), noise(373, 12, size)
    white = np.clip(0.94 + 0.05 * (tile[..., None] - 0.5) + 0.02 * (glaze[..., None] - 0.5), 0, 1)
    white = white * srgb("#F4F8F7")[None, None, :] / srgb("#F4F8F7").max()
    joint = tint("#8E9493", 0.5 + 0.4 * (dirt - 0.5), 0.5)
    bevel = np.clip((edge - 1.5) / 5, 0, 1)  # the glaze rounds over the tile's edge
    return {
        "color": white * (1 - grout[..., None]) + joint * grout[..., None],
        "roughness": (0.06 + 0.04 * glaze + 0.8 * grout)[..., None] * np.ones(3),
        "normal": normal_map(np.sqrt(bevel) + 0.01 * glaze, 1.5),
    }


def pool_water() -> dict[str, F]:
    """Level 37's water surface (a tile is 4 m): a normal map of slow, shallow ripples."""
    swell, ripples = noise(374, 5), noise(375, 16)
    return {"normal": normal_map(0.7 * swell + 0.3 * ripples, 4.0)}


def crate() -> dict[str, F]:
    """A wooden crate's side (a tile is 1 m): five planks with dark gaps, grain along them, a frame."""
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    gaps = (np.abs(((y * 5) % 1) - 0.5) > 0.47).astype(float)
    frame = (np.minimum(np.minimum(x, 1 - x), np.minimum(y, 1 - y)) < 0.07).astype(float)
    grain = noise(21, 60)
    streaks = np.sin(x * 90 + 6 * noise(22, 6)) * 0.5 + 0.5
    shade = 0.5 + 0.2 * (grain - 0.5) + 0.15 * (streaks - 0.5) - 0.45 * gaps * (1 - frame) + 0.08 * frame
    return {
        "color": tint("#8A6A42", shade, 0.7),
        "roughness": (0.8 + 0.1 * grain)[..., None] * np.ones(3),
        "normal": normal_map(0.4 * grain - gaps * (1 - frame) + 0.5 * frame, 2.0),
    }


TEXTURES: dict[str, Callable[[], dict[str, F]]] = {
    "wallpaper": wallpaper,
    "carpet": carpet,
    "ceiling_tile": ceiling_tile,
    "baseboard": baseboard,
    "fixture_diffuser": diffuser,
    "concrete": concrete,
    "concrete_floor": concrete_floor,
    "crate": crate,
    "pool_tile": pool_tile,
    "pool_water": pool_water,
    "courtyard_plaster": courtyard_plaster,
    "courtyard_paving": courtyard_paving,
}


def all_textures() -> dict[str, Callable[[], dict[str, F]]]:
    """These textures and every level kit's (materials/levels/*_textures.py), by name."""
    found = dict(TEXTURES)
    for path in sorted((OUT.parent / "levels").glob("*_textures.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        taken = set(found) & set(module.TEXTURES)
        if taken:
            raise ValueError(f"{path.name}: textures {sorted(taken)} are made elsewhere already")
        found.update(module.TEXTURES)
    return found


def write_png(path: Path, image: F) -> None:
    """An 8-bit RGB PNG from values in [0, 1]."""
    pixels = np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, optimize=True)  # optimize: the smallest zlib setting


def main() -> int:
    OUT.mkdir(exist_ok=True)
    textures = all_textures()
    wanted = sys.argv[1:] or list(textures)  # e.g. `make_textures.py concrete`: only those
    for name, make in ((name, textures[name]) for name in wanted):
        for channel, image in make().items():
            path = OUT / f"{name}_{channel}.png"
            write_png(path, image)
            print(path.relative_to(OUT.parent.parent), f"{path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
