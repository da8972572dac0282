"""Turn an uploaded certificate photo or scan into the clean black-on-white page tesseract reads best.

tesseract's LSTM recogniser is accurate on upright, sharp, binarised text of a reasonable size and
degrades quickly otherwise, so each step undoes one way uploads go wrong: red seals drawn over the
text are bleached, small images are upscaled, a page photographed askew is turned back (estimated by
the projection profile: text rows are sharpest when the page is level), sensor noise is smoothed by a
median filter, and the result is thresholded with Otsu's method. Pillow alone does all of it, so the
intake needs no numerical library.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

MIN_SIDE = 64
"""Images smaller than this on either side cannot hold a legible certificate."""

_TARGET_LONG_SIDE = 1600
_UPSCALE_BELOW = 1100
_DOWNSCALE_ABOVE = 2800
_MAX_SKEW_DEGREES = 6.0
_NOISE_THRESHOLD = 1.0


@dataclass(frozen=True)
class Preparation:
    """What preprocessing did to an image, logged and returned so a misread can be explained."""

    scale: float
    skew_degrees: float
    noise_level: float
    denoised: bool
    threshold: int


def _bleach_seal(image: Image.Image) -> Image.Image:
    """Grayscale with strongly red pixels (seals, red titles) turned to paper white."""
    rgb = image.convert("RGB")
    red, green, blue = rgb.split()
    redness = ImageChops.subtract(red, ImageChops.lighter(green, blue))
    mask = redness.point(lambda value: 255 if value > 60 else 0)
    gray = rgb.convert("L")
    gray.paste(255, mask=mask)
    return gray


def _rescale(gray: Image.Image) -> tuple[Image.Image, float]:
    long_side = max(gray.size)
    if long_side < _UPSCALE_BELOW:
        scale = min(_TARGET_LONG_SIDE / long_side, 3.0)
    elif long_side > _DOWNSCALE_ABOVE:
        scale = _TARGET_LONG_SIDE / long_side
    else:
        return gray, 1.0
    size = (round(gray.width * scale), round(gray.height * scale))
    return gray.resize(size, Image.Resampling.LANCZOS), scale


def noise_level(gray: Image.Image) -> float:
    """Mean absolute difference between the paper and its 3x3 median: high for grainy scans.

    Only paper pixels count (where the median is light), since the edges of clean text differ from
    their median too.
    """
    median = gray.filter(ImageFilter.MedianFilter(3))
    paper = median.point(lambda value: 255 if value > 170 else 0)
    difference = ImageChops.difference(gray, median)
    return float(ImageStat.Stat(difference, mask=paper).mean[0])


def otsu_threshold(gray: Image.Image) -> int:
    """The gray level that best separates ink from paper (Otsu's between-class variance maximum)."""
    histogram = gray.histogram()[:256]
    total = sum(histogram)
    weighted_total = sum(level * count for level, count in enumerate(histogram))
    background = weighted_background = 0.0
    best_level, best_variance = 127, -1.0
    for level, count in enumerate(histogram):
        background += count
        if background == 0:
            continue
        foreground = total - background
        if foreground == 0:
            break
        weighted_background += level * count
        mean_background = weighted_background / background
        mean_foreground = (weighted_total - weighted_background) / foreground
        variance = background * foreground * (mean_background - mean_foreground) ** 2
        if variance > best_variance:
            best_level, best_variance = level, variance
    return best_level


def _profile_sharpness(ink: Image.Image, angle: float) -> float:
    rotated = ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
    rows = rotated.resize((1, rotated.height), Image.Resampling.BOX).tobytes()  # mode L: one byte per row
    return float(sum((a - b) ** 2 for a, b in itertools.pairwise(rows)))


def estimate_skew(gray: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that levels the text lines, within +-6 degrees.

    Text rows give a row-sum profile of sharp peaks and gaps only when the page is level, so the angle
    maximising the sum of squared differences between neighbouring rows wins: a coarse search in half
    degrees, then a fine one in tenths around the best.
    """
    width = 500
    small = gray.resize((width, max(1, round(gray.height * width / gray.width))), Image.Resampling.BILINEAR)
    threshold = otsu_threshold(small)
    ink = small.point(lambda value: 255 if value < threshold else 0)
    steps = round(_MAX_SKEW_DEGREES / 0.5)
    coarse = max((step * 0.5 for step in range(-steps, steps + 1)), key=lambda a: _profile_sharpness(ink, a))
    fine = max((coarse + step * 0.1 for step in range(-4, 5)), key=lambda a: _profile_sharpness(ink, a))
    return round(fine, 1)


def prepare(image: Image.Image) -> tuple[Image.Image, Preparation]:
    """The page ready for tesseract (mode ``L``, black text on white) and what was done to it."""
    gray = _bleach_seal(ImageOps.exif_transpose(image))
    gray, scale = _rescale(gray)
    skew = estimate_skew(gray)
    if abs(skew) >= 0.3:
        gray = gray.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    noise = noise_level(gray)
    denoised = noise > _NOISE_THRESHOLD
    if denoised:
        gray = gray.filter(ImageFilter.MedianFilter(3))
    threshold = otsu_threshold(gray)
    binary = gray.point(lambda value: 255 if value > threshold else 0)
    return binary, Preparation(scale, skew, round(noise, 2), denoised, threshold)
