"""oracle/aid/documents.py: every layout renders, scans are deterministic, the splits never share a style."""

from __future__ import annotations

import pytest

from oracle.aid.documents import LAYOUTS, Font, Scan, Split, render_document, styles
from oracle.aid.population import DocumentKind
from tests.aid_cases import generated


def test_the_held_out_split_shares_no_style_with_the_tuning_split() -> None:
    for kind in DocumentKind:
        tuning, held_out = set(styles(kind, Split.TUNING)), set(styles(kind, Split.HELD_OUT))
        assert not tuning & held_out
        assert (
            {style.layout for style in held_out} == set(LAYOUTS[kind]) == {style.layout for style in tuning}
        )
        assert {style.font for style in tuning | held_out} == set(Font)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_layout_renders_and_every_scan_degrades_deterministically(kind: DocumentKind) -> None:
    case = generated().cases[0]
    for layout in LAYOUTS[kind]:
        style = next(style for style in styles(kind, Split.HELD_OUT) if style.layout is layout)
        assert min(render_document(case, kind, style).size) >= 700
    style = styles(kind, Split.TUNING)[0]
    clean = render_document(case, kind, style)
    for how in Scan:
        if how is not Scan.CLEAN:
            assert render_document(case, kind, style, how, seed=1).tobytes() != clean.tobytes()
    photo = render_document(case, kind, style, Scan.PHOTO, seed=2)
    assert photo.tobytes() == render_document(case, kind, style, Scan.PHOTO, seed=2).tobytes()
    other = next(k for k in DocumentKind if k is not kind)
    with pytest.raises(ValueError, match="not a layout"):
        render_document(case, kind, styles(other, Split.TUNING)[0])
