"""The one place that runs tesseract: words with their boxes and confidences, grouped into lines.

tesseract runs as a subprocess through pytesseract, with the ``chi_sim`` model alone (it reads the
Latin letters and digits of credit codes too) and page segmentation mode 6 (one uniform block of
text), which keeps each printed "label：value" row on one line. Failures of the engine itself (not
installed, model missing) become :class:`OcrEngineUnavailable`; a timeout or a crash on one image
becomes :class:`UnreadableImage`, so the caller can tell the uploader's fault from the operator's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytesseract
from PIL import Image

from api.intake.errors import OcrEngineUnavailable, UnreadableImage

LANGUAGE = "chi_sim"
_CONFIG = "--psm 6 -c textord_heavy_nr=1 -c tessedit_do_invert=0"
"""One uniform block; tesseract's heavy noise removal (on noisy scans it lifts field accuracy from
about 63% to 89%, at no cost on clean pages); no second pass looking for white-on-black text."""
_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Word:
    """One word (for Chinese, a run of characters) as tesseract found it."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    """0-100, tesseract's own estimate."""

    @property
    def right(self) -> int:
        return self.left + self.width


@dataclass(frozen=True)
class Line:
    """A text line: its words from left to right."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return "".join(word.text for word in self.words)

    @property
    def height(self) -> int:
        return max((word.height for word in self.words), default=0)


def _limit_threads() -> None:
    """Make tesseract single-threaded unless the operator decided otherwise.

    tesseract's OpenMP threads cost more than they save on small pages: on a 2-core machine one
    certificate takes 1.5-2 s with the default threads and 0.3-0.5 s with one. Set in the environment
    that the tesseract subprocesses inherit, since tesseract has no option for it.
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def read_lines(image: Image.Image, source: str) -> list[Line]:
    """OCR ``image`` and return its non-empty lines, top to bottom."""
    _limit_threads()
    try:
        data = pytesseract.image_to_data(
            image,
            lang=LANGUAGE,
            config=_CONFIG,
            output_type=pytesseract.Output.DICT,
            timeout=_TIMEOUT_SECONDS,
        )
    except pytesseract.TesseractNotFoundError as error:
        raise OcrEngineUnavailable("the tesseract binary is not installed (Debian: tesseract-ocr)") from error
    except pytesseract.TesseractError as error:
        message = str(error.message)
        if LANGUAGE in message or "traineddata" in message:
            raise OcrEngineUnavailable(
                f"tesseract has no {LANGUAGE} model (Debian: tesseract-ocr-chi-sim): {message}"
            ) from error
        raise UnreadableImage(source, f"tesseract failed: {message}") from error
    except RuntimeError as error:  # pytesseract's timeout
        raise UnreadableImage(source, f"OCR took longer than {_TIMEOUT_SECONDS} s") from error

    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        if not str(text).strip():
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        grouped.setdefault(key, []).append(
            Word(
                text=str(text).strip(),
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                confidence=max(0.0, float(data["conf"][i])),
            )
        )
    return [Line(tuple(sorted(words, key=lambda word: word.left))) for _, words in sorted(grouped.items())]
