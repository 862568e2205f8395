"""The stylesheet keeps its promises: WCAG AA colour contrast, a print section, fonts with Kazakh letters.

axe-core (tests/browser) checks contrast on rendered pages, but only for elements those pages show; this
checks every colour pair the stylesheet declares, including tags and buttons no page shows yet.
"""

from __future__ import annotations

import colorsys
import re
from pathlib import Path

import pytest

CSS_FILE = Path(__file__).resolve().parents[1] / "qyzmet" / "web" / "static" / "web" / "qyzmet.css"
CSS = re.sub(r"/\*.*?\*/", "", CSS_FILE.read_text(encoding="utf-8"), flags=re.S)
VARIABLES = dict(re.findall(r"(--q-[a-z0-9-]+)\s*:\s*([^;]+);", CSS.split("}", 1)[0]))


def resolve(value: str) -> str | None:
    value = value.strip().split()[0] if value.strip() else ""
    match = re.fullmatch(r"var\((--q-[a-z0-9-]+)\)", value)
    if match:
        return resolve(VARIABLES[match.group(1)])
    return value.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else None


def luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rules() -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) for every innermost rule, media queries included."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        declarations = dict((k.strip(), v.strip()) for k, v in re.findall(r"([a-z-]+)\s*:\s*([^;]+)", body))
        found.append((" ".join(selector.split()), declarations))
    return found


def test_contrast_calculation_matches_known_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


def test_every_rule_that_sets_text_and_background_colours_has_aa_contrast():
    checked = []
    for selector, declarations in rules():
        text = resolve(declarations.get("color", ""))
        background = resolve(declarations.get("background", declarations.get("background-color", "")))
        if text and background:
            ratio = contrast(text, background)
            checked.append(selector)
            assert ratio >= 4.5, f"{selector}: {text} on {background} is {ratio:.2f}:1, needs 4.5:1"
    for needed in (".q-tag--on-track", ".q-tag--at-risk", ".q-tag--overdue", ".q-header", ".q-button"):
        assert needed in checked, f"{needed} sets no colour pair any more: is the rule gone?"


@pytest.mark.parametrize(("text", "background", "minimum"), [
    ("--q-text", "--q-bg", 4.5),
    ("--q-text-secondary", "--q-bg", 4.5),  # hints
    ("--q-link", "--q-bg", 4.5),
    ("--q-link-visited", "--q-bg", 4.5),
    ("--q-link", "--q-bg-muted", 4.5),  # links in the footer and on notices
    ("--q-error", "--q-bg", 4.5),  # error messages and error summary links
    ("--q-text", "--q-notice-bg", 4.5),
    ("--q-focus-text", "--q-focus", 4.5),  # a focused link
    ("--q-border-input", "--q-bg", 3.0),  # WCAG 1.4.11: the edge of an input must be seen
])
def test_declared_colour_pairs(text, background, minimum):
    ratio = contrast(resolve(f"var({text})"), resolve(f"var({background})"))
    assert ratio >= minimum, f"{text} on {background}: {ratio:.2f}:1, needs {minimum}:1"


def test_the_status_tags_have_the_three_deadline_colours():
    tags = {s: d for s, d in rules() if s.startswith(".q-tag--")}
    green, amber, red = (resolve(tags[f".q-tag--{name}"]["background"]) for name in ("on-track", "at-risk", "overdue"))

    def hue(hex_colour: str) -> str:
        r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        degrees = colorsys.rgb_to_hls(r, g, b)[0] * 360
        return "red" if degrees < 20 or degrees > 340 else "amber" if 30 <= degrees <= 60 else (
            "green" if 90 <= degrees <= 170 else f"{degrees:.0f}°")

    assert (hue(green), hue(amber), hue(red)) == ("green", "amber", "red")
    # Amber takes dark text: white on amber never reaches 4.5:1.
    assert luminance(resolve(tags[".q-tag--at-risk"]["color"])) < 0.05


def test_focus_is_always_visible():
    focus_rules = [d for s, d in rules() if ":focus" in s]
    assert any("outline" in d and "3px" in d["outline"] for d in focus_rules)
    assert not any(d.get("outline", "").startswith(("none", "0")) for s, d in rules()
                   if ":focus" in s and ".q-main" not in s)


def test_print_hides_navigation_footer_and_buttons():
    start = CSS.index("@media print")
    section = CSS[start:]
    hidden = re.search(r"([^{}]+)\{\s*display:\s*none !important;", section).group(1)
    for selector in (".q-lang", ".q-nav", ".q-footer", "button", ".q-button", ".q-skip-link"):
        assert selector in hidden


def test_the_font_stack_lists_fonts_with_kazakh_letters_and_ends_generic():
    stack = VARIABLES["--q-font"]
    assert stack.strip().endswith("sans-serif")
    # Fonts known to carry Cyrillic Supplement (ә ғ қ ң ө ұ ү һ і); DejaVu is on every Debian machine.
    assert "DejaVu Sans" in stack and "Noto Sans" in stack and "Segoe UI" in stack
