"""PDF donation receipts: one per gift, in Chinese and English, with a QR code of the gift's verify link.

A receipt states what the ledger says of the gift (read model: plan, charity, form and amount, block time,
transaction hash, block number) and the donor's display name as the donor gives it when downloading, or
"anonymous": no person's name is kept anywhere. The PDF is drawn with ReportLab with a Chinese TrueType font
embedded (WenQuanYi Zen Hei, Debian's ``fonts-wqy-zenhei``; subset into the file) and the QR code is made
with ``qrcode`` (ISO/IEC 18004, error correction level M) and drawn as vector squares, so any phone camera
or ``zbarimg`` reads the verify link back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from api.indexer import Amount, Party, ReadModel
from api.pages.i18n import Translator
from api.pages.rendering import amount_text, when

__all__ = ["FONT_FILES", "ReceiptFacts", "ReceiptFontMissing", "receipt_facts", "receipt_pdf"]

FONT_NAME: Final = "WenQuanYiZenHei"
FONT_FILES: Final = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
"""Where Debian's ``fonts-wqy-zenhei`` (``scripts/setup`` installs it) and ``fonts-wqy-microhei`` put the fonts."""


class ReceiptFontMissing(RuntimeError):
    """No Chinese TrueType font to embed: install Debian's ``fonts-wqy-zenhei``."""


@dataclass(frozen=True)
class ReceiptFacts:
    """What a receipt states, all of it from the ledger (through the read model)."""

    tx_hash: str
    block_number: int
    block_time: int
    log_index: int
    pool_id: int
    charity: Party
    donor: str
    form: str
    amount: Amount


def receipt_facts(read_model: ReadModel, tx_hash: str, donor: str) -> ReceiptFacts | None:
    """The gift ``donor`` made in transaction ``tx_hash``, or None (no such gift of that donor, or not yet
    indexed)."""
    transaction = read_model.transaction(tx_hash)
    if transaction is None:
        return None
    gift = next(
        (e for e in transaction.events if e.name == "DonationReceived" and e.args.get("donor") == donor), None
    )
    if gift is None:
        return None
    pool_id = int(gift.args["poolId"])
    offset: int | None = 0
    while offset is not None:
        page = read_model.donations(donor=donor, pool_id=pool_id, offset=offset, limit=500)
        for record in page.items:
            if record.proof.tx_hash == transaction.tx_hash and record.proof.log_index == gift.log_index:
                plan = read_model.plan(pool_id)
                charity = plan.charity if plan is not None else Party(address=gift.address)
                return ReceiptFacts(
                    tx_hash=transaction.tx_hash,
                    block_number=transaction.block.number,
                    block_time=transaction.block.timestamp,
                    log_index=gift.log_index,
                    pool_id=pool_id,
                    charity=charity,
                    donor=donor,
                    form=record.form,
                    amount=record.amount,
                )
        offset = page.next_offset
    return None


def _font() -> str:
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    for path in FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            return FONT_NAME
    raise ReceiptFontMissing(
        "no Chinese font to embed in receipts: install fonts-wqy-zenhei (scripts/setup does)"
    )


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code of ``text``, ``size`` points wide, its lower-left corner at (x, y), quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for column_index, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + column_index * cell, y + size - (row_index + 1) * cell, cell, cell, stroke=0, fill=1
                )


def _both(chinese: str, english: str) -> str:
    return chinese if chinese == english else f"{chinese} / {english}"


def receipt_pdf(facts: ReceiptFacts, *, verify_url: str, display_name: str | None) -> bytes:
    """The receipt of one gift as a one-page A5 PDF (both languages on every line)."""
    font = _font()
    zh, en = Translator("zh"), Translator("en")
    buffer = io.BytesIO()
    height = A5[1]
    canvas = Canvas(buffer, pagesize=A5, pageCompression=1)
    canvas.setTitle(f"{zh('receipt.title')} {en('receipt.title')} {facts.tx_hash}")
    canvas.setAuthor(en("app.name"))
    margin = 14 * mm
    y = height - margin - 4 * mm
    canvas.setFont(font, 17)
    canvas.drawString(margin, y, zh("receipt.title"))
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(margin, y - 6.5 * mm, en("receipt.title"))
    canvas.setFont(font, 8.5)
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    canvas.drawString(margin, y - 12 * mm, f"{zh('app.name')} · {en('app.name')}")
    canvas.setFillColorRGB(0, 0, 0)
    y -= 22 * mm

    charity = facts.charity.name or facts.charity.address
    rows = [
        ("receipt.donor", display_name or f"{zh('receipt.anonymous')} / {en('receipt.anonymous')}"),
        ("receipt.plan", f"#{facts.pool_id}"),
        ("receipt.charity", charity),
        ("receipt.form", _both(zh.value("form", facts.form), en.value("form", facts.form))),
        ("receipt.amount", _both(amount_text(zh, facts.amount), amount_text(en, facts.amount))),
        ("receipt.time", when(facts.block_time)),
        ("receipt.block", str(facts.block_number)),
    ]
    for key, value in rows:
        canvas.setFont(font, 8)
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        canvas.drawString(margin, y, f"{zh(key)} / {en(key)}")
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(font, 11)
        canvas.drawString(margin + 42 * mm, y, value)
        y -= 8.5 * mm
    canvas.setFont(font, 8)
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    canvas.drawString(margin, y, f"{zh('receipt.tx_hash')} / {en('receipt.tx_hash')}")
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont("Courier", 7.6)
    canvas.drawString(margin, y - 5 * mm, facts.tx_hash)
    y -= 14 * mm

    size = 42 * mm
    _qr(canvas, verify_url, margin - 3 * mm, y - size, size)
    text_x = margin + size + 2 * mm
    canvas.setFont(font, 8.5)
    lines = [zh("receipt.scan"), en("receipt.scan")]
    for index, line in enumerate(lines):
        canvas.drawString(text_x, y - 8 * mm - index * 5 * mm, line)
    canvas.setFont("Courier", 6.2)
    url_y = y - 22 * mm
    for start in range(0, len(verify_url), 52):
        canvas.drawString(text_x, url_y, verify_url[start : start + 52])
        url_y -= 3.4 * mm
    canvas.setFont(font, 7)
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    footer_y = margin
    canvas.drawString(margin, footer_y + 4 * mm, zh("receipt.footer"))
    canvas.drawString(margin, footer_y, en("receipt.footer"))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
