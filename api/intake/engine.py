"""The OCR engine: PP-OCRv4 text detection, direction classification and recognition on a page.

The models are the ones shipped inside the ``rapidocr-onnxruntime`` 1.4.4 wheel (PP-OCRv4 detection
and recognition, PP-OCR mobile v2 direction classifier), run by onnxruntime's CPU provider; nothing
is downloaded at run time. RapidOCR's detector and classifier are used as they are; recognition is
decoded here from the model's per-step character probabilities (CTC greedy decoding, as PaddleOCR's
``CTCLabelDecode``) so that every character keeps its own score and runner-up readings, which is what
lets the audit tell a confident misreading from a doubtful one and lets a credit code be repaired
from the characters the model nearly chose.

A page is made upright before recognition: text lines are wide boxes, so a page whose detected
boxes are mostly tall was photographed at 90 or 270 degrees and is turned a quarter; the direction
classifier then votes, weighted by box width, on whether the page is upside down. Small skew and
perspective need no resampling of the page: every box is cut out along its own quadrilateral, and the
page's skew (the median slope of the boxes) is removed from the box coordinates used for layout.

Entry point: :func:`read_page`; the engine is built once per process (:func:`get_engine`).
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from api.intake.errors import OcrEngineUnavailable

FloatArray = npt.NDArray[np.float32]
Point = tuple[float, float]

WORKING_LONG_SIDE = 1280
"""Pages are scaled (up or down) so their long side is this many pixels before detection: printed
certificate text then stands 20-40 px tall, where PP-OCRv4 detects and reads it well."""

DETECTION_LONG_SIDE = 960
"""The detector sees the page at this long side (multiples of 32); boxes are mapped back."""

DEFAULT_THREADS = 2
"""onnxruntime threads per model run (the servers have two cores)."""

MIN_BOX_SCORE = 0.5
"""Boxes read with a lower mean character probability are noise (RapidOCR's own default)."""

RED_MARGIN = 50
"""How much redder than green and blue a pixel must be to count as seal ink (0-255 levels)."""

_REC_HEIGHT = 48
_REC_BATCH = 8
_ALTERNATIVES = 3
_VOTERS = 16
"""The widest boxes vote on whether the page is upside down (more add time, not certainty)."""
"""Runner-up characters kept per recognised character."""


@dataclass(frozen=True)
class Glyph:
    """One recognised character with the model's belief in it."""

    char: str
    score: float
    """Probability (0-1) of this character at its CTC step."""
    alternatives: tuple[tuple[str, float], ...]
    """The next most probable characters at the same step, with their probabilities."""
    position: float
    """Where the character sits along its box, 0 (start) to 1 (end)."""


@dataclass(frozen=True)
class TextBox:
    """One detected line of text, recognised, with where it is on the page.

    ``left``/``top``/``right``/``bottom`` are in the upright, deskewed page frame (pixels of the
    working image); ``quad`` is the box's corners (reading order: top-left, top-right, bottom-right,
    bottom-left) in the pixels of the *original* image, so a reviewer's crop can be cut from the file
    the applicant sent.
    """

    text: str
    score: float
    glyphs: tuple[Glyph, ...]
    left: float
    top: float
    right: float
    bottom: float
    quad: tuple[Point, Point, Point, Point]

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def width(self) -> float:
        return max(self.right - self.left, 1.0)

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2


@dataclass(frozen=True)
class PageText:
    """Everything read from one page."""

    boxes: tuple[TextBox, ...]
    quarter_turns: int
    """Counter-clockwise quarter turns applied to make the page upright (0-3)."""
    skew_degrees: float
    """The page's residual skew, removed from the box coordinates."""
    width: int
    height: int
    """Size of the upright working page."""
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def _rotate_quarters(image: npt.NDArray[np.uint8], turns: int) -> npt.NDArray[np.uint8]:
    return np.ascontiguousarray(np.rot90(image, turns % 4))


def _unrotate_point(x: float, y: float, turns: int, width: int, height: int) -> Point:
    """Map a point of an image turned ``turns`` quarters counter-clockwise back to the unturned one.

    ``width``/``height`` are the unturned image's size.
    """
    turns %= 4
    if turns == 0:
        return x, y
    if turns == 1:  # turned image is height x width; (x, y) came from (width - 1 - y, x)
        return width - 1 - y, x
    if turns == 2:
        return width - 1 - x, height - 1 - y
    return y, height - 1 - x


class OcrEngine:
    """PP-OCRv4 detection, direction classification and recognition, as shipped in rapidocr-onnxruntime.

    Thread-safe: onnxruntime sessions may be run from several threads at once.
    """

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        try:
            import onnxruntime
            from rapidocr_onnxruntime.ch_ppocr_cls import TextClassifier
            from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
            from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
            from rapidocr_onnxruntime.utils import OrtInferSession, read_yaml, update_model_path
        except ImportError as error:  # pragma: no cover - the dependency is pinned
            raise OcrEngineUnavailable(f"rapidocr-onnxruntime is not installed: {error}") from error
        config = update_model_path(read_yaml(str(DEFAULT_CFG_PATH)))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 4
        # Spinning threads wait busily for work: on a small shared server they take the cores
        # other processes need and make every run slower (measured: 0.96 s against 0.67 s per
        # detection with two threads on a loaded 2-core machine).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL

        def session(section: dict[str, Any]) -> Any:
            return onnxruntime.InferenceSession(
                section["model_path"], sess_options=options, providers=["CPUExecutionProvider"]
            )

        detection = dict(config["Det"])
        detection.update(limit_type="max", limit_side_len=DETECTION_LONG_SIDE)
        self._detector = TextDetector(detection)
        self._detector.infer.session = session(detection)
        self._classifier = TextClassifier(config["Cls"])
        self._classifier.infer.session = session(config["Cls"])
        self._recogniser = OrtInferSession(config["Rec"])
        self._recogniser.session = session(config["Rec"])
        characters = self._recogniser.get_character_list()
        self._characters: list[str] = ["", *characters, " "]

    # -- detection -------------------------------------------------------------------------------

    def detect(self, image: npt.NDArray[np.uint8]) -> list[FloatArray]:
        """Text-line quadrilaterals (4x2 float arrays, clockwise from top-left) in ``image`` pixels."""
        boxes, _ = self._detector(image)
        if boxes is None or len(boxes) == 0:
            return []
        return [np.asarray(box, dtype=np.float32) for box in boxes]

    @staticmethod
    def crop(image: npt.NDArray[np.uint8], quad: FloatArray) -> npt.NDArray[np.uint8]:
        """The box cut out along its quadrilateral and straightened (as PaddleOCR's rotate-crop)."""
        width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
        height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
        width, height = max(width, 2), max(height, 2)
        target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
        warped = cv2.warpPerspective(
            image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
        )
        return cast(npt.NDArray[np.uint8], warped)

    def upside_down_vote(self, crops: Sequence[npt.NDArray[np.uint8]]) -> float:
        """Width-weighted vote in [-1, 1]: positive when the crops read as turned 180 degrees."""
        if not crops:
            return 0.0
        _, results, _ = self._classifier(list(crops))
        total = weight_sum = 0.0
        for crop, (label, score) in zip(crops, results, strict=True):
            weight = float(crop.shape[1]) / max(float(crop.shape[0]), 1.0)
            signed = float(score) if "180" in str(label) else -float(score)
            total += weight * signed
            weight_sum += weight
        return total / weight_sum if weight_sum else 0.0

    # -- recognition -----------------------------------------------------------------------------

    def _normalise(self, crop: npt.NDArray[np.uint8], width: int) -> FloatArray:
        height, crop_width = crop.shape[:2]
        resized_width = min(width, max(1, math.ceil(_REC_HEIGHT * crop_width / max(height, 1))))
        resized = cv2.resize(crop, (resized_width, _REC_HEIGHT)).astype(np.float32)
        resized = (resized.transpose((2, 0, 1)) / 255.0 - 0.5) / 0.5
        padded = np.zeros((3, _REC_HEIGHT, width), dtype=np.float32)
        padded[:, :, :resized_width] = resized
        return padded

    def recognise(self, crops: Sequence[npt.NDArray[np.uint8]]) -> list[tuple[Glyph, ...]]:
        """The characters of each crop, each with its probability and runner-ups."""
        results: list[tuple[Glyph, ...]] = [() for _ in crops]
        ratios = [crop.shape[1] / max(crop.shape[0], 1) for crop in crops]
        order = sorted(range(len(crops)), key=lambda index: ratios[index])
        for start in range(0, len(order), _REC_BATCH):
            batch = order[start : start + _REC_BATCH]
            max_ratio = max(max(ratios[index] for index in batch), 320 / _REC_HEIGHT)
            width = int(_REC_HEIGHT * max_ratio)
            tensor = np.stack([self._normalise(crops[index], width) for index in batch])
            probabilities = self._recogniser(tensor)[0]
            for row, index in enumerate(batch):
                used = ratios[index] / max_ratio
                results[index] = self._decode(probabilities[row], used)
        return results

    def _decode(self, steps: FloatArray, used: float) -> tuple[Glyph, ...]:
        best = steps.argmax(axis=1)
        glyphs: list[Glyph] = []
        previous = -1
        span = max(len(best) * used, 1.0)
        for step, index in enumerate(best.tolist()):
            if index != 0 and index != previous and index < len(self._characters):
                probabilities = steps[step]
                top = np.argpartition(probabilities, -(_ALTERNATIVES + 2))[-(_ALTERNATIVES + 2) :]
                ranked = top[np.argsort(probabilities[top])[::-1]]
                alternatives = tuple(
                    (self._characters[int(other)], float(probabilities[int(other)]))
                    for other in ranked
                    if int(other) not in (0, index) and int(other) < len(self._characters)
                )[:_ALTERNATIVES]
                glyphs.append(
                    Glyph(
                        char=self._characters[index],
                        score=float(probabilities[index]),
                        alternatives=alternatives,
                        position=min(1.0, (step + 0.5) / span),
                    )
                )
            previous = index
        return tuple(glyphs)

    # -- the page ------------------------------------------------------------------------------------

    def read(self, image: Image.Image, *, quarter_turns: int | None = None) -> PageText:
        """Read a page: make it upright, detect, recognise; ``quarter_turns`` forces the orientation."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        rgb = ImageOps.exif_transpose(image).convert("RGB")
        scale = WORKING_LONG_SIDE / max(rgb.size)
        working = rgb.resize(
            (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))),
            Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC,
        )
        bgr = bleach_red(np.ascontiguousarray(np.asarray(working)[:, :, ::-1]))

        quads = self.detect(bgr)
        timings["detect"] = time.perf_counter() - started
        turns = 0
        if quarter_turns is not None:
            turns = quarter_turns % 4
            if turns:
                quads = self.detect(_rotate_quarters(bgr, turns))
        elif _mostly_vertical(quads):
            turns = 1  # the detector finds vertical lines as well: turn their boxes with the page
            height, width = bgr.shape[:2]
            quads = [_turn_quad(quad, width) for quad in quads]
        page = _rotate_quarters(bgr, turns)
        crops = [self.crop(page, quad) for quad in quads]
        if quarter_turns is None and crops:
            wide = [crop for crop in crops if crop.shape[1] >= 2 * crop.shape[0]] or crops
            wide = sorted(wide, key=lambda crop: -crop.shape[1] / max(crop.shape[0], 1))[:_VOTERS]
            if self.upside_down_vote(wide) > 0:
                turns = (turns + 2) % 4
                height, width = page.shape[:2]
                quads = [_flip_quad(quad, width, height) for quad in quads]
                page = _rotate_quarters(bgr, turns)
                crops = [self.crop(page, quad) for quad in quads]
            timings["classify"] = time.perf_counter() - started
        recognised = self.recognise(crops)
        timings["recognise"] = time.perf_counter() - started

        height, width = page.shape[:2]
        skew = _skew_degrees(quads)
        boxes: list[TextBox] = []
        turned_width, turned_height = bgr.shape[1], bgr.shape[0]
        for quad, glyphs in zip(quads, recognised, strict=True):
            text = "".join(glyph.char for glyph in glyphs).strip()
            if not text or statistics.fmean(glyph.score for glyph in glyphs) < MIN_BOX_SCORE:
                continue
            left, top, right, bottom = _deskewed_bounds(quad, skew, width, height)
            original = tuple(
                _to_original(float(x), float(y), turns, turned_width, turned_height, scale) for x, y in quad
            )
            boxes.append(
                TextBox(
                    text="".join(glyph.char for glyph in glyphs),
                    score=float(statistics.fmean(glyph.score for glyph in glyphs)),
                    glyphs=glyphs,
                    left=left,
                    top=top,
                    right=right,
                    bottom=bottom,
                    quad=cast(tuple[Point, Point, Point, Point], original),
                )
            )
        boxes.sort(key=lambda box: (box.top, box.left))
        return PageText(
            boxes=tuple(boxes),
            quarter_turns=turns,
            skew_degrees=round(skew, 2),
            width=width,
            height=height,
            seconds=time.perf_counter() - started,
            timings=timings,
        )


def bleach_red(bgr: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The page with strongly red pixels (seals, red stamps) turned to white paper.

    Chinese certificates carry red seals, often over text; the seal's own lettering would otherwise
    be read as stray boxes beside the fields. Black text under a seal is dark in every channel and
    survives.
    """
    channels = bgr.astype(np.int16)
    blue, green, red = channels[:, :, 0], channels[:, :, 1], channels[:, :, 2]
    mask = (red - np.maximum(green, blue) > RED_MARGIN) & (red > 100)
    cleaned = bgr.copy()
    cleaned[mask] = 255
    return cleaned


def _to_original(x: float, y: float, turns: int, width: int, height: int, scale: float) -> Point:
    ux, uy = _unrotate_point(x, y, turns, width, height)
    return round(ux / scale, 1), round(uy / scale, 1)


def _turn_quad(quad: FloatArray, width: int) -> FloatArray:
    """The quad after turning its page (``width`` wide) a quarter counter-clockwise, top-left first."""
    turned = np.stack([quad[:, 1], width - 1 - quad[:, 0]], axis=1).astype(np.float32)
    by_x = turned[np.argsort(turned[:, 0])]
    left, right = by_x[:2], by_x[2:]
    top_left, bottom_left = left[np.argsort(left[:, 1])]
    top_right, bottom_right = right[np.argsort(right[:, 1])]
    return np.array([top_left, top_right, bottom_right, bottom_left], dtype=np.float32)


def _flip_quad(quad: FloatArray, width: int, height: int) -> FloatArray:
    """The quad after turning its page 180 degrees, corners re-ordered to start at the new top-left."""
    flipped = np.stack([width - 1 - quad[:, 0], height - 1 - quad[:, 1]], axis=1).astype(np.float32)
    return flipped[[2, 3, 0, 1]]


def _mostly_vertical(quads: Sequence[FloatArray]) -> bool:
    """Whether most elongated boxes are taller than wide: the page lies on its side."""
    tall = wide = 0
    for quad in quads:
        width = float(np.linalg.norm(quad[0] - quad[1]))
        height = float(np.linalg.norm(quad[0] - quad[3]))
        if height > 2 * width:
            tall += 1
        elif width > 2 * height:
            wide += 1
    return tall > wide


def _skew_degrees(quads: Sequence[FloatArray]) -> float:
    """Median slope (degrees, clockwise positive in image coordinates) of the wide boxes' top edges."""
    angles = []
    for quad in quads:
        dx, dy = float(quad[1][0] - quad[0][0]), float(quad[1][1] - quad[0][1])
        if dx > 3 * abs(float(quad[3][1] - quad[0][1])) and dx > 0:
            angles.append(math.degrees(math.atan2(dy, dx)))
    return statistics.median(angles) if angles else 0.0


def _deskewed_bounds(
    quad: FloatArray, skew: float, width: int, height: int
) -> tuple[float, float, float, float]:
    if abs(skew) < 0.05:
        xs, ys = quad[:, 0], quad[:, 1]
    else:
        angle = math.radians(-skew)
        cx, cy = width / 2, height / 2
        cos, sin = math.cos(angle), math.sin(angle)
        dx, dy = quad[:, 0] - cx, quad[:, 1] - cy
        xs, ys = cx + dx * cos - dy * sin, cy + dx * sin + dy * cos
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


_ENGINE: OcrEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> OcrEngine:
    """The process's engine, built on first use (loading the three models takes about a second)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = OcrEngine()
        return _ENGINE


def read_page(image: Image.Image, *, quarter_turns: int | None = None) -> PageText:
    """Read ``image`` with the process's engine (see :meth:`OcrEngine.read`)."""
    return get_engine().read(image, quarter_turns=quarter_turns)
