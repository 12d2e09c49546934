"""The camcorder look: its strengths, the on-screen display's text and raster, and a tape's per-frame noise."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from .errors import InvalidSpecError

FloatArray = npt.NDArray[np.float32]

# Every length of the look is in pixels of a 640 px wide frame, scaled to the render's width.
REFERENCE_WIDTH = 640
DEFAULT_START = datetime(1996, 8, 14, 21, 37, 5)  # the date the tape's clock was set to
MODES = ("REC", "PLAY")


@dataclass(frozen=True)
class Look:
    """How strongly each of a tape's faults shows; every strength is 0 (none) to 1 (a worn tape),
    except `chroma_shift`, in pixels at 640 px width (0 to 8)."""

    name: str  # its key in LOOKS
    label: str
    chroma_shift: float = 0.0  # red and blue lag luma to the right, px at 640 px width
    chroma_smear: float = 0.0  # colour bleeds to the right over up to 16 px
    luma_soften: float = 0.0  # horizontal softness of the picture
    sharpen_halo: float = 0.0  # the bright and dark rims of a camcorder's edge enhancement
    luma_noise: float = 0.0  # grain that streaks sideways, new every frame
    chroma_noise: float = 0.0  # blotches of colour, new every frame
    tracking: float = 0.0  # now and then a torn band of lines; white dropouts
    head_switch: float = 0.0  # the torn, noisy band along the bottom
    vignette: float = 0.0  # darker corners
    barrel: float = 0.0  # a cheap wide lens's bulge
    wash: float = 0.0  # faded colours, lifted blacks, dull whites
    osd: bool = True  # the date, the time and REC burnt into the picture

    def strengths(self) -> dict[str, float]:
        """The strengths by name, as the compositor group's inputs take them."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self) if f.name not in ("name", "label", "osd")}

    @property
    def has_effects(self) -> bool:
        return self.osd or any(self.strengths().values())


LOOKS: dict[str, Look] = {
    "clean": Look("clean", "Clean", osd=False),
    "vhs": Look(
        "vhs",
        "VHS (1990s)",
        chroma_shift=3.0,
        chroma_smear=0.8,
        luma_soften=0.7,
        sharpen_halo=0.55,
        luma_noise=0.55,
        chroma_noise=0.6,
        tracking=0.6,
        head_switch=0.9,
        vignette=0.45,
        barrel=0.4,
        wash=0.55,
    ),
    "camcorder": Look(
        "camcorder",
        "Camcorder (2000s)",
        chroma_shift=1.2,
        chroma_smear=0.35,
        luma_soften=0.35,
        sharpen_halo=0.7,
        luma_noise=0.35,
        chroma_noise=0.3,
        tracking=0.15,
        head_switch=0.35,
        vignette=0.35,
        barrel=0.3,
        wash=0.25,
    ),
}


def look_named(name: str) -> Look:
    """The look called `name` (a key of LOOKS)."""
    if name not in LOOKS:
        raise InvalidSpecError("look", f"must be one of {', '.join(sorted(LOOKS))}, got {name!r}")
    return LOOKS[name]


def osd_text(start: datetime, frame: int, fps: int, mode: str = "REC") -> tuple[str, str]:
    """The display's two lines on `frame` (frame 1 is `start`): the mode, and the date and time
    as a camcorder shows them, e.g. ("REC", "AUG 14 1996  9:37:05 PM")."""
    if mode not in MODES:
        raise InvalidSpecError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    if fps < 1:
        raise InvalidSpecError("fps", f"must be at least 1, got {fps}")
    now = start + timedelta(seconds=(frame - 1) // fps)
    hour = now.hour % 12 or 12
    clock = f"{hour}:{now.minute:02d}:{now.second:02d} {'PM' if now.hour >= 12 else 'AM'}"
    return mode, f"{now.strftime('%b').upper()} {now.day:2d} {now.year}  {clock}"


# A 5 x 7 pixel font of what the display shows: '#' is lit.
_GLYPHS = {
    "0": ".###.#...##..###.#.###..##...#.###.",
    "1": "..#...##....#....#....#....#...###.",
    "2": ".###.#...#....#...#...#...#...#####",
    "3": "#####...#...#.....#.....##...#.###.",
    "4": "...#...##..#.#.#..#.#####...#....#.",
    "5": "######....####.....#....##...#.###.",
    "6": "..##..#...#....####.#...##...#.###.",
    "7": "#####....#...#...#...#....#....#...",
    "8": ".###.#...##...#.###.#...##...#.###.",
    "9": ".###.#...##...#.####....#...#..##..",
    "A": ".###.#...##...#######...##...##...#",
    "B": "####.#...##...#####.#...##...#####.",
    "C": ".###.#...##....#....#....#...#.###.",
    "D": "###..#..#.#...##...##...##..#.###..",
    "E": "######....#....####.#....#....#####",
    "F": "######....#....####.#....#....#....",
    "G": ".###.#...##....#.####...##...#.####",
    "H": "#...##...##...#######...##...##...#",
    "I": ".###...#....#....#....#....#...###.",
    "J": "..###...#....#....#....#.#..#..##..",
    "K": "#...##..#.#.#..##...#.#..#..#.#...#",
    "L": "#....#....#....#....#....#....#####",
    "M": "#...###.###.#.##.#.##...##...##...#",
    "N": "#...##...###..##.#.##..###...##...#",
    "O": ".###.#...##...##...##...##...#.###.",
    "P": "####.#...##...#####.#....#....#....",
    "Q": ".###.#...##...##...##.#.##..#..##.#",
    "R": "####.#...##...#####.#.#..#..#.#...#",
    "S": ".####.....#.....###.....#....#####.",
    "T": "#####..#....#....#....#....#....#..",
    "U": "#...##...##...##...##...##...#.###.",
    "V": "#...##...##...##...##...#.#.#...#..",
    "W": "#...##...##...##.#.##.#.##.#.#.#.#.",
    "X": "#...##...#.#.#...#...#.#.#...##...#",
    "Y": "#...##...##...#.#.#...#....#....#..",
    "Z": "#####....#...#...#...#...#....#####",
    ":": "......##...##........##...##.......",
    " ": "",
}
GLYPH_W, GLYPH_H = 5, 7


def glyph(char: str) -> npt.NDArray[np.bool_]:
    """The 7 x 5 bitmap of `char` (top row first)."""
    bits = _GLYPHS[char].ljust(GLYPH_W * GLYPH_H, ".")[: GLYPH_W * GLYPH_H]
    return np.array([c == "#" for c in bits]).reshape(GLYPH_H, GLYPH_W)


def osd_raster(lines: tuple[str, str], width: int, height: int) -> FloatArray:
    """The display as straight RGBA (height x width x 4, bottom row first as Blender stores
    images): the mode at the top left, the date and time at the bottom left, white with a dark
    shadow; each font pixel is 3 px at 640 px width."""
    image = np.zeros((height, width, 4), np.float32)
    scale = max(1, round(3 * width / REFERENCE_WIDTH))
    margin_x, margin_y = round(0.075 * width), round(0.075 * height)
    top = margin_y
    bottom = height - margin_y - GLYPH_H * scale
    for text, row in ((lines[0], top), (lines[1], bottom)):
        lit = _text_mask(text, scale)
        _stamp(image, lit, row + scale // 2 + 1, margin_x + scale // 2 + 1, (0.0, 0.0, 0.0, 0.7))
        _stamp(image, lit, row, margin_x, (1.0, 1.0, 1.0, 1.0))
    return image[::-1].copy()


def _text_mask(text: str, scale: int) -> npt.NDArray[np.bool_]:
    advance = GLYPH_W + 1
    mask = np.zeros((GLYPH_H, advance * len(text)), bool)
    for i, char in enumerate(text.upper()):
        mask[:, i * advance : i * advance + GLYPH_W] = glyph(char if char in _GLYPHS else " ")
    return np.kron(mask, np.ones((scale, scale), bool)).astype(bool)


def _stamp(image: FloatArray, mask: npt.NDArray[np.bool_], row: int, col: int, rgba: tuple[float, ...]) -> None:
    """Paint `rgba` where `mask` is lit, its top left corner at (row, col) counted from the top."""
    height, width = image.shape[:2]
    h, w = min(mask.shape[0], height - row), min(mask.shape[1], width - col)
    if h <= 0 or w <= 0:
        return
    window = image[row : row + h, col : col + w]
    window[mask[:h, :w]] = rgba


def _rng(seed: int, frame: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF, frame & 0xFFFFFFFF, stream])


def tape_noise(seed: int, frame: int, width: int, height: int) -> FloatArray:
    """A frame's tape noise as RGBA (height x width x 4, bottom row first): luma grain streaked
    sideways, the two colour-difference blotches, and white dropout dashes (alpha), each about
    -1..1 (dropouts 0 or 1). The same (seed, frame) gives the same noise."""
    scale = width / REFERENCE_WIDTH
    rng = _rng(seed, frame, 1)
    noise = np.zeros((height, width, 4), np.float32)
    noise[..., 0] = _streak(rng.standard_normal((height, width), np.float32), max(1, round(2 * scale)))
    for channel in (1, 2):
        coarse = rng.standard_normal((max(1, height // 2), max(1, width // 24)), np.float32)
        noise[..., channel] = _streak(_upsample(coarse, height, width), max(1, round(6 * scale)))
    noise[..., 3] = _dropouts(rng, width, height, scale)
    return noise


def _streak(values: FloatArray, length: int) -> FloatArray:
    """Average `length` neighbours along each row (wrapping): a tape's noise is long sideways;
    rescaled so its spread stays about 1."""
    if length <= 1:
        return values
    total = np.zeros_like(values)
    for shift in range(length):
        total += np.roll(values, shift, axis=1)
    return np.asarray(total / np.sqrt(length), np.float32)


def _upsample(values: FloatArray, height: int, width: int) -> FloatArray:
    """Coarse noise stretched to the frame: lines repeated, smooth along each line (colour on
    tape has a narrow band: its blotches have no sharp sides)."""
    rows = values[np.linspace(0, values.shape[0] - 1, height).round().astype(int)]
    across = np.linspace(0, values.shape[1] - 1, width)
    left = np.floor(across).astype(int)
    right = np.minimum(left + 1, values.shape[1] - 1)
    weight = (across - left).astype(np.float32)
    return np.asarray(rows[:, left] * (1 - weight) + rows[:, right] * weight, np.float32)


def _dropouts(rng: np.random.Generator, width: int, height: int, scale: float) -> FloatArray:
    """A few short white dashes, one line high, anywhere on the frame (most frames none)."""
    dashes = np.zeros((height, width), np.float32)
    for _ in range(rng.poisson(0.6)):
        row = int(rng.integers(0, height))
        start = int(rng.integers(0, width))
        length = max(1, round(rng.uniform(4, 40) * scale))
        rows = slice(row, min(height, row + max(1, round(scale))))
        dashes[rows, start : start + length] = 1.0
    return dashes


@dataclass(frozen=True)
class Glitch:
    """A tracking fault: a band of torn lines from `start` for `frames`, its top at `row`
    (0 top to 1 bottom of the frame), `rows` high (fraction of the height), rolling by `roll` a frame."""

    start: int
    frames: int
    row: float
    rows: float
    roll: float


GLITCH_WINDOW_S = 3  # at most one tracking fault per this many seconds of footage
GLITCH_CHANCE = 0.4


def glitch_near(seed: int, frame: int, fps: int) -> Glitch | None:
    """The tracking fault of the window that `frame` falls in, if that window has one."""
    window_frames = GLITCH_WINDOW_S * fps
    window = (frame - 1) // window_frames
    rng = _rng(seed, window, 2)
    if rng.uniform() >= GLITCH_CHANCE:
        return None
    frames = int(rng.integers(2, max(3, fps // 2)))
    start = 1 + window * window_frames + int(rng.integers(0, window_frames - frames))
    return Glitch(
        start, frames, float(rng.uniform(0.05, 0.85)), float(rng.uniform(0.02, 0.06)), float(rng.uniform(-0.03, 0.03))
    )


def tape_shift(seed: int, frame: int, fps: int, width: int, height: int) -> FloatArray:
    """A frame's sideways tearing as RGBA (height x width x 4, bottom row first): R, the
    head-switching band's shift of each line along the bottom, G a tracking fault's (in px at
    640 px width, to the right); B the vignette's light (1 centre, 0 far corners); A 1."""
    out = np.zeros((height, width, 4), np.float32)
    top_rows = np.zeros((height, 2), np.float32)  # top row first, as the shifts are planned
    top_rows[:, 0] = _head_switch(_rng(seed, frame, 3), height)
    top_rows[:, 1] = _tracking(seed, frame, fps, height)
    out[..., :2] = top_rows[::-1, None, :]
    out[..., 2] = _vignette(width, height)
    out[..., 3] = 1.0
    return out


def _head_switch(rng: np.random.Generator, height: int) -> FloatArray:
    """About 10 lines at 480 along the bottom, torn further the lower they are, jittering."""
    shift = np.zeros(height, np.float32)
    rows = max(2, round(height * 10 / 480))
    ramp = np.linspace(0.15, 1.0, rows, dtype=np.float32) ** 1.5
    shift[-rows:] = ramp * rng.uniform(6, 14) + rng.normal(0, 1.2, rows).astype(np.float32)
    return shift


def _tracking(seed: int, frame: int, fps: int, height: int) -> FloatArray:
    shift = np.zeros(height, np.float32)
    glitch = glitch_near(seed, frame, fps)
    if glitch is None or not glitch.start <= frame < glitch.start + glitch.frames:
        return shift
    rng = _rng(seed, frame, 4)
    top = (glitch.row + glitch.roll * (frame - glitch.start)) % 1.0
    first, count = int(top * height), max(2, round(glitch.rows * height))
    rows = np.arange(first, first + count) % height
    envelope = np.sin(np.linspace(0, np.pi, count)) ** 0.5
    shift[rows] = (envelope * rng.uniform(8, 24) + rng.normal(0, 3, count)).astype(np.float32)
    return shift


def _vignette(width: int, height: int) -> FloatArray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u = (x + 0.5) / width * 2 - 1
    v = ((y + 0.5) / height * 2 - 1) * height / width
    radius = np.sqrt(u * u + v * v) / np.sqrt(1 + (height / width) ** 2)
    return np.asarray(np.clip(1 - radius**2.5, 0, 1), np.float32)
