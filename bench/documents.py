"""Receipts rendered per second: Qyzmet's PDF pipeline against a plain ReportLab page with the same fonts.

Side by side in one process, interleaved round by round:

- **qyzmet**: what issuing a PSC receipt costs apart from the database — the facts of an Aktogay case,
  the form's fields filled (``compose.layout``), the heading and footer, the QR code of the
  verification URL drawn module by module, the PDF written and hashed (``pdf.render`` + sha256);
- **plain**: a bare ReportLab canvas with the same two DejaVu fonts drawing the same title and the same
  label/value lines, no QR, no wrapping, no hash — the floor any PDF receipt pays.

Prints receipts per second for both and the ratio.  The absolute numbers vary with the machine; the ratio
is what to compare.  Run: .venv/bin/python bench/documents.py [--n 200]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/calendar.py is named like the standard library's `calendar`: run as a script, this folder comes
# first on sys.path and would shadow it.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from qyzmet.core.calendar import ALMATY  # noqa: E402
from qyzmet.core.loader import shipped_catalog  # noqa: E402
from qyzmet.documents import compose, pdf, plan  # noqa: E402

REG = "aktogay-2013/prosthetic-docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="receipts per round (5 rounds, best kept)")
    args = parser.parse_args()
    reg = shipped_catalog().get(REG)
    paper = plan.paper(reg, "receipt")
    assert paper is not None
    now = dt.datetime(2026, 3, 19, 10, 30, tzinfo=ALMATY)
    facts = compose.sample_facts(reg, "kk", now, refusal=False)
    code = "K7QM-2XHD-9TVB-RA4P"
    page = compose.layout(reg, paper, facts, code, compose.verify_url("https://qyzmet.example.kz", code))
    pdf.render(page)  # registers the fonts once, outside the timing

    def qyzmet() -> int:
        size = 0
        for _ in range(args.n):
            layout = compose.layout(reg, paper, facts, code, compose.verify_url("https://qyzmet.example.kz", code))
            content = pdf.render(layout)
            hashlib.sha256(content).hexdigest()
            size += len(content)
        return size

    def plain() -> int:
        size = 0
        for _ in range(args.n):
            buffer = io.BytesIO()
            canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
            y = 800.0
            canvas.setFont(pdf.BOLD, 13)
            canvas.drawCentredString(A4[0] / 2, y, page.title)
            for row in page.rows:
                y -= 14
                canvas.setFont(pdf.REGULAR, 8)
                canvas.drawString(50, y, row.label[:90])
                y -= 14
                canvas.setFont(pdf.BOLD, 10.5)
                canvas.drawString(60, y, row.value.split("\n")[0][:80])
            canvas.save()
            size += len(buffer.getvalue())
        return size

    best = {"qyzmet": float("inf"), "plain": float("inf")}
    sizes = {}
    for _ in range(5):
        for name, fn in (("qyzmet", qyzmet), ("plain", plain)):
            started = time.perf_counter()
            sizes[name] = fn() // args.n
            best[name] = min(best[name], time.perf_counter() - started)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"ReportLab {__import__('reportlab').Version}")
    for name in ("qyzmet", "plain"):
        per_second = args.n / best[name]
        print(f"{name:<7} {per_second:8.1f} receipts/s  {1000 / per_second:6.2f} ms each  {sizes[name]:>7} bytes")
    print(f"ratio   qyzmet costs {best['qyzmet'] / best['plain']:.2f}× a plain ReportLab page "
          f"(target: ≥ 50 receipts/s)")


if __name__ == "__main__":
    main()
