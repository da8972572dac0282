"""Errors of the OCR intake: why a certificate image could not be read.

They share one base, :class:`IntakeError`, so the onboarding route maps all of them to one 4xx
response with the message as the reason. A missing OCR engine is not the uploader's fault and has its
own class, :class:`OcrEngineUnavailable`, which the route maps to a 5xx instead.
"""

from __future__ import annotations


class IntakeError(Exception):
    """Base of every error raised while reading uploaded documents."""


class UnreadableImage(IntakeError):
    """The upload is not an image we can decode, or is too small or too blank to hold a certificate."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"cannot read image {source}: {reason}")
        self.source = source
        self.reason = reason


class NoKeyInformation(IntakeError):
    """The images were decoded, but no labelled field of a certificate could be read from any of them."""

    def __init__(self, sources: list[str]) -> None:
        super().__init__(f"no certificate fields found in {', '.join(sources) or 'no images'}")
        self.sources = sources


class OcrEngineUnavailable(IntakeError):
    """The OCR engine (rapidocr-onnxruntime with its ONNX models) cannot be loaded on this machine."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"OCR engine unavailable: {reason}")
        self.reason = reason
