#!/usr/bin/env python3
"""Translation catalogues without GNU gettext: find the UI strings, update the .po files, compile .mo.

    .venv/bin/python scripts/messages.py extract          # update qyzmet/locale/{kk,ru}/LC_MESSAGES/django.po
    .venv/bin/python scripts/messages.py compile          # write django.mo beside each .po
    .venv/bin/python scripts/messages.py extract --check  # exit 1 if a .po is out of date (CI, pre-commit)
    .venv/bin/python scripts/messages.py compile --check  # exit 1 if a .mo does not match its .po

Why not ``django-admin makemessages``: it needs GNU gettext (xgettext, msgmerge, msgfmt), a system
package that a pip-only install does not have.  This script needs only Django and polib.

What it finds:
- templates ``qyzmet/**/templates/**/*.html``: ``{% translate %}``/``{% trans %}`` with a literal (and
  ``context``), ``{% blocktranslate %}``/``{% blocktrans %}`` … ``{% endblocktranslate %}`` (``count``,
  ``with``, ``context``, ``trimmed``, ``{% plural %}``; ``{{ var }}`` becomes ``%(var)s`` exactly as Django
  looks it up), and ``_("…")`` inside tags and variables.  Templates are split with Django's own lexer,
  so the msgids are the strings Django will ask the catalogue for at run time.
- Python ``qyzmet/**/*.py`` (migrations excepted): calls of ``gettext``, ``gettext_lazy``, ``gettext_noop``,
  ``_``, ``pgettext(_lazy)``, ``ngettext(_lazy)``, ``npgettext(_lazy)`` with literal strings, read with ``ast``.

Merging keeps every existing translation; a new string gets an empty translation (tests fail until it
is translated); a string no longer used becomes obsolete (``#~``), and comes back with its translation
if the string returns.  Output is deterministic (no dates, no line numbers in the references), so an
unchanged set of strings gives no diff.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qyzmet"
LOCALE_DIR = PACKAGE / "locale"
LANGUAGES = ("kk", "ru")  # English is the source language: its msgids are the English text
DOMAIN = "django"

# The same plural rules as Django's own kk and ru catalogues, so both agree on every count.
PLURAL_FORMS = {
    "kk": "nplurals=2; plural=(n!=1);",
    "ru": "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 "
          ": n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? 2 : 3);",
}
LANGUAGE_TEAMS = {"kk": "Kazakh", "ru": "Russian"}

Key = tuple[str | None, str]  # (context, msgid)


@dataclass
class Message:
    msgid: str
    context: str | None = None
    plural: str | None = None
    occurrences: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.context, self.msgid)

    @property
    def python_format(self) -> bool:
        return any(_PLACEHOLDER.search(s) for s in (self.msgid, self.plural or ""))


class ExtractionError(Exception):
    """A translatable string the tool cannot read (a variable where a literal must be)."""


_PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")


# --- templates ----------------------------------------------------------------------------------

_LITERAL = re.compile(r"""^(?P<q>["'])(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""", re.S)
_UNDERSCORE = re.compile(r"""_\(\s*(?P<q>["'])(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*\)""", re.S)
_TRIM = re.compile(r"\s*\n\s*")


def _unescape(body: str) -> str:
    # What django.utils.text.unescape_string_literal does to a quoted literal's inside.
    return body.replace("\\\\", "\x00").replace('\\"', '"').replace("\\'", "'").replace("\x00", "\\")


def _template_literal(bit: str) -> str | None:
    """The string of a quoted template literal (possibly followed by |filters), None for a variable."""
    if bit.startswith("_(") and bit.endswith(")"):
        bit = bit[2:-1]
    match = _LITERAL.match(bit)
    return _unescape(match.group("body")) if match else None


def scan_template(text: str, origin: str) -> list[Message]:
    """The messages of one template, in order."""
    from django.template.base import Lexer, TokenType
    from django.utils.text import smart_split

    found: list[Message] = []
    tokens = Lexer(text).tokenize()
    pending_comment: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.token_type == TokenType.COMMENT:
            note = token.contents.strip()
            if note.lower().startswith("translators"):
                pending_comment = [note]
            continue
        if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == ["comment"]:
            while i < len(tokens) and not (tokens[i].token_type == TokenType.BLOCK
                                           and tokens[i].contents.strip() == "endcomment"):
                i += 1
            i += 1
            continue
        if token.token_type not in (TokenType.BLOCK, TokenType.VAR):
            continue
        bits = list(smart_split(token.contents))
        where = (origin, token.lineno or 0)
        if token.token_type == TokenType.BLOCK and bits and bits[0] in ("translate", "trans"):
            if len(bits) < 2:
                raise ExtractionError(f"{origin}:{token.lineno}: {{% {bits[0]} %}} without a message")
            literal = _template_literal(bits[1])
            if literal is not None:
                # Django doubles "%" in a translate literal before the look-up (Variable.resolve).
                found.append(Message(literal.replace("%", "%%"), _context(bits, origin, token.lineno),
                                     occurrences=[where], comments=pending_comment))
            pending_comment = []
            continue
        if token.token_type == TokenType.BLOCK and bits and bits[0] in ("blocktranslate", "blocktrans"):
            end = "end" + bits[0]
            singular: list[str] = []
            plural: list[str] | None = None
            while True:
                if i >= len(tokens):
                    raise ExtractionError(f"{origin}:{token.lineno}: {{% {bits[0]} %}} is never closed")
                inner = tokens[i]
                i += 1
                target = singular if plural is None else plural
                if inner.token_type == TokenType.TEXT:
                    target.append(inner.contents.replace("%", "%%"))
                elif inner.token_type == TokenType.VAR:
                    target.append(f"%({inner.contents})s")
                elif inner.token_type == TokenType.BLOCK:
                    name = inner.contents.strip()
                    if name == "plural":
                        plural = []
                    elif name in ("endblocktranslate", "endblocktrans"):
                        break
                    else:
                        raise ExtractionError(f"{origin}:{inner.lineno}: {{% {name} %}} inside {{% {bits[0]} %}}"
                                              f" (only {{% plural %}} and {{% {end} %}} may be there)")
            trimmed = "trimmed" in bits[1:]
            msgid = "".join(singular)
            msgid_plural = "".join(plural) if plural is not None else None
            if trimmed:
                msgid = _TRIM.sub(" ", msgid.strip())
                msgid_plural = _TRIM.sub(" ", msgid_plural.strip()) if msgid_plural is not None else None
            found.append(Message(msgid, _context(bits, origin, token.lineno), msgid_plural,
                                 occurrences=[where], comments=pending_comment))
            pending_comment = []
            continue
        for match in _UNDERSCORE.finditer(token.contents):
            found.append(Message(_unescape(match.group("body")).replace("%", "%%"), occurrences=[where]))
    return found


def _context(bits: list[str], origin: str, lineno: int | None) -> str | None:
    if "context" not in bits[2:]:
        return None
    at = bits.index("context", 2)
    value = _template_literal(bits[at + 1]) if at + 1 < len(bits) else None
    if value is None:
        raise ExtractionError(f"{origin}:{lineno}: a message context must be a quoted literal")
    return value


# --- Python ------------------------------------------------------------------------------------

# name -> positions of (context, singular, plural) among the call's arguments
_PY_FUNCTIONS: dict[str, tuple[int | None, int, int | None]] = {
    "gettext": (None, 0, None), "gettext_lazy": (None, 0, None), "gettext_noop": (None, 0, None),
    "_": (None, 0, None),
    "pgettext": (0, 1, None), "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1), "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2), "npgettext_lazy": (0, 1, 2),
}


def scan_python(text: str, origin: str) -> list[Message]:
    tree = ast.parse(text, filename=origin)
    found: list[Message] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in _PY_FUNCTIONS:
            continue
        ctx_at, one_at, many_at = _PY_FUNCTIONS[name]

        def literal(at: int | None, _node: ast.Call = node, _name: str = name) -> str | None:
            if at is None:
                return None
            if at >= len(_node.args):
                raise ExtractionError(f"{origin}:{_node.lineno}: {_name}() needs argument {at + 1}")
            arg = _node.args[at]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return arg.value
            raise ExtractionError(f"{origin}:{_node.lineno}: {_name}() needs a string literal, not "
                                  f"{ast.unparse(arg)!r}: a translator can only translate text that is in the code")

        found.append(Message(literal(one_at) or "", literal(ctx_at), literal(many_at),
                             occurrences=[(origin, node.lineno)]))
    found.sort(key=lambda m: m.occurrences[0][1])  # ast.walk is breadth-first; keep source order
    return found


# --- the whole project ---------------------------------------------------------------------------

def source_files(root: Path = ROOT) -> Iterator[Path]:
    package = root / "qyzmet"
    templates = sorted(p for p in package.rglob("*.html") if "templates" in p.relative_to(package).parts)
    python = sorted(p for p in package.rglob("*.py") if "migrations" not in p.relative_to(package).parts)
    yield from templates
    yield from python


def extract(root: Path = ROOT) -> dict[Key, Message]:
    """Every message of the project, in a stable order, with all the places it occurs."""
    messages: dict[Key, Message] = {}
    for path in source_files(root):
        origin = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        found = scan_template(text, origin) if path.suffix == ".html" else scan_python(text, origin)
        for message in found:
            if not message.msgid:
                raise ExtractionError(f"{origin}:{message.occurrences[0][1]}: an empty message")
            known = messages.get(message.key)
            if known is None:
                messages[message.key] = message
                continue
            if known.plural != message.plural:
                raise ExtractionError(f"{origin}:{message.occurrences[0][1]}: {message.msgid!r} is used with "
                                      f"plural {message.plural!r} here but {known.plural!r} elsewhere")
            known.occurrences += message.occurrences
            known.comments += [c for c in message.comments if c not in known.comments]
    return messages


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def new_catalogue(lang: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=100)
    po.metadata = {
        "Project-Id-Version": "qyzmet",
        "Report-Msgid-Bugs-To": "",
        "Language-Team": LANGUAGE_TEAMS.get(lang, lang),
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS[lang],
    }
    return po


def load_catalogue(lang: str, locale_dir: Path = LOCALE_DIR) -> polib.POFile:
    path = po_path(lang, locale_dir)
    if not path.exists():
        return new_catalogue(lang)
    po = polib.pofile(str(path), wrapwidth=100)
    return po


def _nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


@dataclass
class MergeReport:
    added: list[str] = field(default_factory=list)
    obsoleted: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)


def merge(po: polib.POFile, messages: dict[Key, Message]) -> MergeReport:
    """Bring ``po`` in line with ``messages`` in place, keeping every translation it already has."""
    report = MergeReport()
    existing = {(e.msgctxt, e.msgid): e for e in po}
    ordered: list[polib.POEntry] = []
    for key, message in messages.items():
        entry = existing.pop(key, None)
        if entry is None:
            entry = polib.POEntry(msgid=message.msgid, msgctxt=message.context)
            if message.plural is not None:
                entry.msgid_plural = message.plural
                entry.msgstr_plural = {n: "" for n in range(_nplurals(po))}
            else:
                entry.msgstr = ""
            report.added.append(message.msgid)
        else:
            if entry.obsolete:
                entry.obsolete = False
                report.revived.append(message.msgid)
            if (entry.msgid_plural or None) != message.plural:
                # The plural changed shape: the old translations no longer fit, so they must be redone.
                entry.msgid_plural = message.plural or ""
                entry.msgstr = ""
                entry.msgstr_plural = {n: "" for n in range(_nplurals(po))} if message.plural else {}
                report.added.append(message.msgid)
        # Files without line numbers (like xgettext --add-location=file): moving a line must not churn the .po.
        entry.occurrences = [(path, "") for path in dict.fromkeys(path for path, _line in message.occurrences)]
        entry.comment = "\n".join(message.comments)
        flags = [f for f in entry.flags if f != "python-format"]
        entry.flags = [*flags, "python-format"] if message.python_format else flags
        ordered.append(entry)
    for entry in sorted(existing.values(), key=lambda e: (e.msgctxt or "", e.msgid)):
        if not entry.obsolete:
            entry.obsolete = True
            report.obsoleted.append(entry.msgid)
        entry.occurrences = []
        ordered.append(entry)
    po[:] = ordered
    return report


def catalogue_of(po: polib.POFile | polib.MOFile) -> dict[tuple[str | None, str], object]:
    """(context, msgid) → translation(s), the part of a catalogue that gettext looks things up in."""
    result: dict[tuple[str | None, str], object] = {}
    for entry in po:
        if entry.obsolete or getattr(entry, "fuzzy", False) or not entry.msgid:
            continue
        if entry.msgid_plural:
            result[(entry.msgctxt, entry.msgid)] = (entry.msgid_plural,
                                                   tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)))
        elif entry.msgstr:
            result[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return result


def mo_is_current(po_file: Path) -> bool:
    mo_file = po_file.with_suffix(".mo")
    if not mo_file.exists():
        return False
    po = polib.pofile(str(po_file))
    mo = polib.mofile(str(mo_file))
    return catalogue_of(po) == catalogue_of(mo) and mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


# --- commands --------------------------------------------------------------------------------------

def cmd_extract(check: bool, languages: Iterable[str] = LANGUAGES) -> int:
    messages = extract()
    stale = False
    for lang in languages:
        path = po_path(lang)
        po = load_catalogue(lang)
        before = str(po) if path.exists() else None
        report = merge(po, messages)
        after = str(po)
        untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
        if check:
            if before != after:
                stale = True
                print(f"{path.relative_to(ROOT)} is out of date: {len(report.added)} new, "
                      f"{len(report.obsoleted)} unused (run scripts/messages.py extract)")
            continue
        if before != after:
            path.parent.mkdir(parents=True, exist_ok=True)
            po.save(str(path))
        print(f"{path.relative_to(ROOT)}: {len(messages)} messages; {len(report.added)} new, "
              f"{len(report.revived)} back in use, {len(report.obsoleted)} now unused; "
              f"{len(untranslated)} to translate")
        for msgid in untranslated:
            print(f"  untranslated: {msgid!r}")
    return 1 if stale else 0


def cmd_compile(check: bool, languages: Iterable[str] = LANGUAGES) -> int:
    status = 0
    for lang in languages:
        path = po_path(lang)
        if not path.exists():
            print(f"{path.relative_to(ROOT)} does not exist (run scripts/messages.py extract)", file=sys.stderr)
            status = 1
            continue
        if check:
            if not mo_is_current(path):
                print(f"{path.with_suffix('.mo').relative_to(ROOT)} does not match its .po "
                      f"(run scripts/messages.py compile)")
                status = 1
            continue
        po = polib.pofile(str(path))
        po.save_as_mofile(str(path.with_suffix(".mo")))
        print(f"{path.with_suffix('.mo').relative_to(ROOT)}: {len(po.translated_entries())} translations")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("extract", "update the .po files from the templates and the Python code"),
                            ("compile", "write the .mo file beside each .po")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--check", action="store_true", help="change nothing; exit 1 if files are out of date")
    args = parser.parse_args(argv)
    try:
        if args.command == "extract":
            return cmd_extract(args.check)
        return cmd_compile(args.check)
    except (ExtractionError, SyntaxError, OSError) as exc:
        print(f"messages: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
