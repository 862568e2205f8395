"""The Kazakh and Russian catalogues: complete, consistent, compiled, and actually used by the pages."""

from __future__ import annotations

import datetime as dt
import gettext
import importlib.util
import io
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("kk", "ru")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _load_tool():
    spec = importlib.util.spec_from_file_location("qyzmet_messages_tool", ROOT / "scripts" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(tool.po_path(lang)))


def live_entries(lang: str) -> list[polib.POEntry]:
    return [e for e in catalogue(lang) if not e.obsolete]


# --- (a) complete and consistent ---------------------------------------------------------------

_PLACEHOLDERS = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"
                           r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDERS.findall(text.replace("%%", "")))


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    entries = live_entries(lang)
    assert entries, f"{lang}: the catalogue is empty"
    untranslated = [e.msgid for e in entries
                    if (e.msgid_plural and not all(e.msgstr_plural.values())) or (not e.msgid_plural and not e.msgstr)]
    assert not untranslated, f"{lang}: untranslated (translate, then run scripts/messages.py compile): {untranslated}"
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"{lang}: fuzzy entries must be checked and unmarked: {fuzzy}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_survive_translation(lang):
    wrong = []
    for e in live_entries(lang):
        if e.msgid_plural:
            allowed = set(placeholders(e.msgid)) | set(placeholders(e.msgid_plural))
            forms = [placeholders(s) for s in e.msgstr_plural.values()]
            if any(not set(f) <= allowed for f in forms) or set(placeholders(e.msgid_plural)) - {p for f in forms
                                                                                                  for p in f}:
                wrong.append(e.msgid)
        elif placeholders(e.msgid) != placeholders(e.msgstr):
            wrong.append(f"{e.msgid!r} → {e.msgstr!r}")
    assert not wrong, f"{lang}: placeholders differ between msgid and msgstr: {wrong}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_header_names_the_language_and_its_plural_rule(lang):
    po = catalogue(lang)
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"] == tool.PLURAL_FORMS[lang]
    assert "charset=UTF-8" in po.metadata["Content-Type"]


def test_kazakh_translations_use_kazakh_letters():
    # The lazy failure mode is Russian text pasted into the Kazakh catalogue: it has none of these letters.
    with_letters = [e for e in live_entries("kk") if KAZAKH_LETTERS & set(e.msgstr)]
    assert len(with_letters) > len(live_entries("kk")) // 2


@pytest.mark.parametrize("lang", LANGS)
def test_no_word_mixes_latin_and_cyrillic_letters(lang):
    # "Eнгізіңіз" with a Latin E looks right and breaks search and screen readers.
    mixed = [word for e in live_entries(lang) for word in re.findall(r"\w+", e.msgstr)
             if re.search(r"[A-Za-z]", word) and re.search(r"[\u0400-\u04FF]", word)]
    assert not mixed, f"{lang}: words mixing Latin and Cyrillic letters: {mixed}"


# --- (b) compiled catalogues match their sources ---------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_the_committed_mo_matches_the_po(lang):
    po_file = tool.po_path(lang)
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file} is missing: run scripts/messages.py compile"
    fresh = gettext.GNUTranslations(io.BytesIO(catalogue(lang).to_binary()))
    with mo_file.open("rb") as fh:
        committed = gettext.GNUTranslations(fh)
    assert committed._catalog == fresh._catalog, f"{mo_file} is stale: run scripts/messages.py compile"
    assert committed.plural(5) == fresh.plural(5) and committed.plural(21) == fresh.plural(21)


# --- (c) nothing in the code is missing from the catalogues -----------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_every_string_in_the_code_is_in_the_catalogue(lang):
    found = tool.extract()
    assert len(found) > 50  # the extractor really read the templates and the code
    known = {(e.msgctxt, e.msgid): e for e in live_entries(lang)}
    missing = [key for key in found if key not in known]
    assert not missing, (f"{lang}: strings not in the catalogue (run scripts/messages.py extract, translate, "
                         f"then compile): {missing}")
    wrong_plural = [k for k, m in found.items() if (known[k].msgid_plural or None) != m.plural]
    assert not wrong_plural, f"{lang}: plural forms changed: {wrong_plural}"


# --- the extractor itself --------------------------------------------------------------------------

def test_template_extraction_gives_the_msgids_django_looks_up():
    template = """{% load i18n %}
{% translate "Plain" %} {% trans 'It\\'s "quoted"' context "menu" %} {% translate "100% sure" as sure %}
{% blocktranslate count counter=items|length %}One item.{% plural %}{{ counter }} items, 5% off.{% endblocktranslate %}
{% blocktranslate trimmed with name=user.name %}
   Hello   {{ name }},
      welcome.
{% endblocktranslate %}
{{ value|default:_("Nothing") }}
{% comment %}{% translate "Commented out" %}{% endcomment %}
{# Translators: printed on the receipt #}
{% translate "Receipt" %}
"""
    found = {(m.context, m.msgid): m for m in tool.scan_template(template, "t.html")}
    assert set(found) == {
        (None, "Plain"), ("menu", 'It\'s "quoted"'), (None, "100%% sure"), (None, "One item."),
        (None, "Hello   %(name)s, welcome."), (None, "Nothing"), (None, "Receipt"),
    }
    assert found[(None, "One item.")].plural == "%(counter)s items, 5%% off."
    assert found[(None, "Receipt")].comments == ["Translators: printed on the receipt"]


def test_python_extraction_reads_every_gettext_form_and_rejects_computed_strings():
    code = """
from django.utils.translation import gettext as _, gettext_lazy, ngettext, npgettext_lazy, pgettext
a = _("One")
b = gettext_lazy("Two %(x)s")
c = ngettext("%(n)d day", "%(n)d days", 3)
d = pgettext("month", "May")
e = npgettext_lazy("ctx", "an apple", "%(n)d apples", 2)
"""
    found = {(m.context, m.msgid): m.plural for m in tool.scan_python(code, "x.py")}
    assert found == {(None, "One"): None, (None, "Two %(x)s"): None, (None, "%(n)d day"): "%(n)d days",
                     ("month", "May"): None, ("ctx", "an apple"): "%(n)d apples"}
    with pytest.raises(tool.ExtractionError, match="string literal"):
        tool.scan_python("from django.utils.translation import gettext as _\n_(f'{x} items')\n", "y.py")


def test_merging_keeps_translations_adds_new_strings_and_retires_unused_ones():
    po = tool.new_catalogue("kk")
    po.append(polib.POEntry(msgid="Kept", msgstr="Сақталды"))
    po.append(polib.POEntry(msgid="Gone", msgstr="Жоқ"))
    messages = {(None, "Kept"): tool.Message("Kept"), (None, "New %(n)s"): tool.Message("New %(n)s")}
    report = tool.merge(po, messages)
    by_id = {e.msgid: e for e in po}
    assert by_id["Kept"].msgstr == "Сақталды" and not by_id["Kept"].obsolete
    assert by_id["New %(n)s"].msgstr == "" and "python-format" in by_id["New %(n)s"].flags
    assert by_id["Gone"].obsolete and report.obsoleted == ["Gone"] and report.added == ["New %(n)s"]
    # The string comes back: so does its translation.
    tool.merge(po, {(None, "Gone"): tool.Message("Gone")})
    assert {e.msgid: e for e in po}["Gone"].msgstr == "Жоқ" and not {e.msgid: e for e in po}["Gone"].obsolete


def test_the_check_modes_of_the_script_pass_on_the_committed_catalogues(capsys):
    assert tool.main(["extract", "--check"]) == 0, capsys.readouterr().out
    assert tool.main(["compile", "--check"]) == 0, capsys.readouterr().out


# --- (d) the pages speak Kazakh and Russian -----------------------------------------------------

class _VisibleText(HTMLParser):
    """Text a reader meets: element text and the attributes read aloud; skips script/style and any part
    explicitly marked as another language (the language switcher, the English technical note)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = tag in ("script", "style") or (attributes.get("lang") not in (None, self.lang) and tag != "html")
        if not skip and not self._hidden():
            self.parts += [v for k, v in attributes.items() if k in ("aria-label", "title", "alt", "placeholder") and v]
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def visible_text(html: str, lang: str) -> str:
    parser = _VisibleText(lang)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_leftovers(text: str, lang: str) -> list[str]:
    """msgids of the catalogue whose English words appear on a page that should show their translation."""
    leftovers = []
    for entry in live_entries(lang):
        if entry.msgstr == entry.msgid:
            continue
        for fragment in re.split(r"%\([^)]*\)[a-z]|%[a-z]", entry.msgid.replace("%%", "%")):
            fragment = fragment.strip(" :.,")
            if re.search(r"[A-Za-z]{2}", fragment) and re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text):
                leftovers.append(fragment)
    return leftovers


@pytest.fixture
def pages(client, aktogay):
    """Each citizen page and the sign-in page in every state that shows different text."""
    from qyzmet.cases import services
    from qyzmet.core.calendar import parse_instant
    from qyzmet.core.engine import CompleteStep, Submit
    from qyzmet.core.iin import make_iin

    iin = make_iin(dt.date(1970, 2, 3), "female", 55)
    row = services.register_regulation(aktogay)
    start = parse_instant("2025-03-19T10:00")
    case = services.submit(row, Submit("psc", iin, "general-disease", ("application", "id-copy", "irp-extract")),
                           start).case
    services.apply_event(case, CompleteStep(1), start)
    services.apply_event(case, CompleteStep(2), start)

    def render(lang: str) -> dict[str, str]:
        client.cookies["qyzmet_language"] = lang
        return {
            "home": client.get("/").content.decode(),
            "lookup": client.get("/my-application").content.decode(),
            "lookup-errors": client.post("/my-application", {"number": "", "iin": "12"}).content.decode(),
            "lookup-not-found": client.post("/my-application", {"number": "Q1", "iin": iin}).content.decode(),
            "lookup-found": client.post("/my-application", {"number": case.number, "iin": iin}).content.decode(),
            "login": client.get("/login").content.decode(),
            "login-errors": client.post("/login", {"username": "x", "password": ""}).content.decode(),
        }

    return render


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "expected"), [
    ("kk", {"home": "Өтінішімді тексеру", "lookup": "Өтініш нөмірі", "lookup-errors": "Өтініш нөмірін енгізіңіз",
            "lookup-not-found": "Осы нөмір мен ЖСН бойынша өтініш табылмады", "lookup-found": "Қызмет көрсету мерзімі",
            "login": "Қызметкердің кіруі", "login-errors": "Құпиясөзді енгізіңіз"}),
    ("ru", {"home": "Проверить моё заявление", "lookup": "Номер заявления", "lookup-errors": "Введите номер заявления",
            "lookup-not-found": "Заявление с таким номером и ИИН не найдено", "lookup-found": "Срок оказания услуги",
            "login": "Вход для сотрудников", "login-errors": "Введите пароль"}),
])
def test_pages_render_in_the_language_with_no_english_left(pages, lang, expected):
    rendered = pages(lang)
    for name, html in rendered.items():
        assert f'<html lang="{lang}">' in html, name
        text = visible_text(html, lang)
        assert expected[name] in text, f"{lang} {name}: {expected[name]!r} not on the page"
        leftovers = english_leftovers(text, lang)
        assert not leftovers, f"{lang} {name}: English UI text on the page: {leftovers}"
    if lang == "kk":
        assert KAZAKH_LETTERS & set(visible_text(rendered["home"], lang))


def test_the_leftover_check_would_see_an_untranslated_string():
    # Guards the guard: if the page text contained an English msgid, the check above must say so.
    assert "Check my application" in english_leftovers("Қазақша мәтін. Check my application", "kk")
    assert english_leftovers("Қазақша мәтін. Өтінішімді тексеру", "kk") == []
