"""Reading an aid document: the interface the desk uses, and the OCR reader that implements it.

:class:`DocumentReader` takes a document's kind and image bytes and returns its
:class:`~api.aid.key_info.DocumentReading`. :class:`OcrDocumentReader` is the product's implementation (the
intake's PP-OCRv4 engine and key-information extractor with the aid document schemas of
:mod:`api.aid.schemas`); it remembers the readings of the last documents by digest, so a document sent twice
is read once.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from typing import Protocol, runtime_checkable

from api.aid.key_info import DocumentKind, DocumentReading


@runtime_checkable
class DocumentReader(Protocol):
    def read(self, kind: DocumentKind, image: bytes) -> DocumentReading:
        """The fields of the ``kind`` document in ``image``; raises
        :class:`~api.aid.errors.DocumentUnreadable` when the image cannot be read."""
        ...


class ReadingCache:
    """The last ``size`` readings by (kind, image digest)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[DocumentKind, str], DocumentReading] = OrderedDict()

    def get(self, kind: DocumentKind, digest: str) -> DocumentReading | None:
        found = self._entries.get((kind, digest))
        if found is not None:
            self._entries.move_to_end((kind, digest))
        return found

    def put(self, reading: DocumentReading) -> None:
        self._entries[(reading.kind, reading.digest)] = reading
        self._entries.move_to_end((reading.kind, reading.digest))
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


def ocr_reader() -> DocumentReader:
    """The product's reader: :class:`api.aid.schemas.OcrDocumentReader` (PP-OCRv4), imported on first use so
    that commands and services that never read a document do not load the OCR engine."""
    schemas = importlib.import_module("api.aid.schemas")
    reader: DocumentReader = schemas.OcrDocumentReader()
    return reader
