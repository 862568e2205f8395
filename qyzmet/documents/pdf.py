"""One A4 page (or more) per document: the annex's title, its fields in the annex's order, and a footer with
the verification code and its QR.  Pure ReportLab with the bundled DejaVu fonts, so ә ғ қ ң ө ұ ү һ і render
on any machine; nothing here touches Django.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_registered = False

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
TEXT_W = PAGE_W - 2 * MARGIN
FOOTER_H = 34 * mm
BLANK = "_" * 30  # a line the person fills in by hand (a signature, a seal, what the case does not hold)


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
        _registered = True


@dataclass(frozen=True)
class Row:
    label: str
    value: str  # "" or BLANK: a line left for the hand


@dataclass(frozen=True)
class Layout:
    """What one document shows, already in its language."""

    title: str
    heading: tuple[str, ...]  # issuer, service, the act and clause the form comes from
    rows: tuple[Row, ...]
    code: str  # the verification code
    verify_url: str
    footer_note: str  # "Verify at …" in the document's language
    lang: str
    subject: str = ""  # PDF metadata: the form code and case number, read back by `documents verify`
    notes: tuple[str, ...] = field(default=())


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap by the font's real widths; a word longer than the line is cut by characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if pdfmetrics.stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while pdfmetrics.stringWidth(word, font, size) > width:
                cut = len(word)
                while cut > 1 and pdfmetrics.stringWidth(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class _Writer:
    def __init__(self, canvas: Canvas, layout: Layout) -> None:
        self.c = canvas
        self.layout = layout
        self.y = PAGE_H - MARGIN
        self.page = 1

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + FOOTER_H:
            self.footer()
            self.c.showPage()
            self.page += 1
            self.y = PAGE_H - MARGIN

    def text(self, text: str, font: str = REGULAR, size: float = 10, indent: float = 0, gap: float = 1.5,
             centred: bool = False) -> None:
        leading = size * 1.3
        for line in _wrap(text, font, size, TEXT_W - indent):
            self.need(leading)
            self.y -= leading
            self.c.setFont(font, size)
            if centred:
                self.c.drawCentredString(PAGE_W / 2, self.y, line)
            else:
                self.c.drawString(MARGIN + indent, self.y, line)
        self.y -= gap

    def footer(self) -> None:
        c, layout = self.c, self.layout
        top = MARGIN + FOOTER_H - 6 * mm
        c.setLineWidth(0.5)
        c.line(MARGIN, top + 3 * mm, PAGE_W - MARGIN, top + 3 * mm)
        qr = segno.make(layout.verify_url, error="m")
        size = 26 * mm
        modules = qr.symbol_size(border=0)[0]
        cell = size / modules
        x0, y0 = PAGE_W - MARGIN - size, MARGIN
        c.setFillGray(0)
        # One path of runs of dark modules: a rect per module would write ~1,000 operators per page.
        path = c.beginPath()
        for r, row in enumerate(qr.matrix):
            col = 0
            while col < len(row):
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < len(row) and row[col]:
                    col += 1
                path.rect(x0 + start * cell, y0 + size - (r + 1) * cell, (col - start) * cell, cell)
        c.drawPath(path, stroke=0, fill=1)
        c.setFont(BOLD, 11)
        c.drawString(MARGIN, top - 4 * mm, layout.code)
        c.setFont(REGULAR, 8)
        y = top - 9 * mm
        for line in _wrap(layout.footer_note, REGULAR, 8, TEXT_W - size - 6 * mm):
            c.drawString(MARGIN, y, line)
            y -= 10
        c.drawString(MARGIN, y, layout.verify_url)
        c.drawString(MARGIN, MARGIN, f"{self.page}")


def render(layout: Layout) -> bytes:
    """The document as PDF bytes.  ``invariant`` keeps the bytes the same for the same layout (no timestamps)."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(layout.title)
    canvas.setSubject(layout.subject)
    canvas.setKeywords(f"qyzmet-verification:{layout.code}")
    canvas.setCreator("Qyzmet")
    w = _Writer(canvas, layout)
    for line in layout.heading:
        w.text(line, size=8.5, gap=0.5)
    w.y -= 4 * mm
    w.text(layout.title, font=BOLD, size=13, centred=True, gap=4 * mm)
    for row in layout.rows:
        w.text(row.label, size=8, gap=0.5)
        value = row.value or BLANK
        w.text(value, font=BOLD if value != BLANK else REGULAR, size=10.5, indent=4 * mm, gap=2.5 * mm)
    for note in layout.notes:
        w.text(note, size=8, gap=1)
    w.footer()
    canvas.save()
    return buffer.getvalue()
