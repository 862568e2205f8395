"""Charts as inline SVG, drawn on the server: no script, no library, nothing fetched from outside.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>`` (what it shows and
where the same numbers are as a table); every bar carries its number in words, and the overdue series is
hatched as well as red, so nothing relies on colour alone.  Colours are the stylesheet's: the button green
(in term) and the warning red (overdue), both over 4.5:1 against white.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

IN_TERM = "#146c3a"
OVERDUE = "#a11d16"
TEXT = "#1b1f24"
RULE = "#c9ced4"
FONT = 'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, \'Noto Sans\', Arial, sans-serif"'


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    hatched: bool = False


def _fill(chart_id: str, s: Series, i: int) -> str:
    return f"url(#{chart_id}-hatch-{i})" if s.hatched else s.colour


def _defs(chart_id: str, series: list[Series]) -> str:
    out = []
    for i, s in enumerate(series):
        if s.hatched:
            out.append(f'<pattern id="{chart_id}-hatch-{i}" width="6" height="6" patternUnits="userSpaceOnUse" '
                       f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{s.colour}"/>'
                       f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>')
    return f"<defs>{''.join(out)}</defs>"


def _legend(chart_id: str, series: list[Series], y: int) -> str:
    parts, x = [], 0
    for i, s in enumerate(series):
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{_fill(chart_id, s, i)}" '
                     f'stroke="{s.colour}"/><text x="{x + 20}" y="{y + 12}" font-size="13" fill="{TEXT}">'
                     f'{escape(s.name)}</text>')
        x += 40 + 8 * len(s.name)
    return "".join(parts)


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="q-chart" id="{chart_id}" '
            f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px;height:auto" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>'
            f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>')


def _short(text: str, n: int = 42) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def bars(chart_id: str, title: str, desc: str, rows: list[tuple[str, list[int]]], series: list[Series],
         empty: str) -> SafeString:
    """Horizontal stacked bars, one per row: the label on the left, the parts and their total on the right."""
    label_w, bar_w, row_h, top = 300, 380, 30, 30
    width = label_w + bar_w + 60
    height = top + row_h * max(len(rows), 1) + 10
    most = max((sum(v) for _label, v in rows), default=0) or 1
    out = [_open(chart_id, title, desc, width, height), _defs(chart_id, series), _legend(chart_id, series, 4)]
    if not rows:
        out.append(f'<text x="0" y="{top + 18}" font-size="14" fill="{TEXT}">{escape(empty)}</text>')
    for r, (label, values) in enumerate(rows):
        y = top + r * row_h
        parts = " · ".join(f"{s.name} {v}" for s, v in zip(series, values, strict=True))
        out.append(f'<g><title>{escape(label)}: {escape(parts)}</title>'
                   f'<text x="{label_w - 8}" y="{y + 19}" font-size="13" text-anchor="end" fill="{TEXT}">'
                   f'{escape(_short(label))}</text>')
        x = label_w
        for i, (s, v) in enumerate(zip(series, values, strict=True)):
            w = round(bar_w * v / most, 1)
            if w > 0:
                out.append(f'<rect x="{x}" y="{y + 5}" width="{w}" height="{row_h - 10}" '
                           f'fill="{_fill(chart_id, s, i)}" stroke="{s.colour}"/>')
            x += w
        parts = " + ".join(str(v) for v in values) if len(values) > 1 and sum(values) else str(sum(values))
        out.append(f'<text x="{x + 6}" y="{y + 19}" font-size="13" fill="{TEXT}">{escape(parts)}</text></g>')
    out.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - 10}" stroke="{RULE}"/></svg>')
    return mark_safe("".join(out))  # every text above went through escape()


def columns(chart_id: str, title: str, desc: str, groups: list[tuple[str, list[int]]], series: list[Series],
            empty: str) -> SafeString:
    """Vertical grouped columns (one group per week), each column with its number above it."""
    col_w, gap, plot_h, top, left = 16, 14, 160, 34, 30
    group_w = col_w * len(series) + gap
    width = max(left + group_w * max(len(groups), 1) + 10, 360)
    height = top + plot_h + 40
    most = max((max(v) for _label, v in groups if v), default=0) or 1
    base = top + plot_h
    out = [_open(chart_id, title, desc, width, height), _defs(chart_id, series), _legend(chart_id, series, 4),
           f'<line x1="{left}" y1="{base}" x2="{width - 5}" y2="{base}" stroke="{RULE}"/>']
    if not any(sum(v) for _label, v in groups):
        out.append(f'<text x="{left}" y="{top + 40}" font-size="14" fill="{TEXT}">{escape(empty)}</text>')
    for g, (label, values) in enumerate(groups):
        x0 = left + g * group_w
        parts = " · ".join(f"{s.name} {v}" for s, v in zip(series, values, strict=True))
        out.append(f'<g><title>{escape(label)}: {escape(parts)}</title>')
        for i, (s, v) in enumerate(zip(series, values, strict=True)):
            h = round(plot_h * v / most, 1)
            x = x0 + i * col_w
            if h > 0:
                out.append(f'<rect x="{x}" y="{base - h}" width="{col_w - 2}" height="{h}" '
                           f'fill="{_fill(chart_id, s, i)}" stroke="{s.colour}"/>')
            if v:
                out.append(f'<text x="{x + (col_w - 2) / 2}" y="{base - h - 3}" font-size="10" text-anchor="middle" '
                           f'fill="{TEXT}">{v}</text>')
        out.append(f'<text x="{x0 + (group_w - gap) / 2}" y="{base + 14}" font-size="10" text-anchor="middle" '
                   f'fill="{TEXT}">{escape(label[-3:])}</text></g>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through escape()
