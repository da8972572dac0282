"""JSON-lines datasets of pydantic records (one record per line, UTF-8): the generated registries' file form.

Written atomically (a ``.partial`` file renamed over the old one), read back with the first bad line named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

InvalidFile = Callable[[Path, str, int | None], Exception]
"""Makes the error for a file that cannot be read: ``(path, reason, line or None)``."""


def write_records(records: Iterable[BaseModel], path: Path) -> int:
    """Write ``records`` to ``path``, replacing it atomically; returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json() + "\n")
            count += 1
    partial.replace(path)
    return count


def read_records(path: Path, model: type[M], invalid: InvalidFile) -> list[M]:
    """The records of ``path`` as ``model``; a missing, non-UTF-8 or malformed file raises ``invalid(...)``
    naming the reason and, for a bad record, its line (from 1). Blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise invalid(path, f"cannot read: {error.strerror or error}", None) from error
    except UnicodeDecodeError as error:
        raise invalid(path, "not UTF-8 text", None) from error
    records: list[M] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(model.model_validate_json(line))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "record"
            raise invalid(path, f"{where}: {first['msg']}", number) from error
    return records
