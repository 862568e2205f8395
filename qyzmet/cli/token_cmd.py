"""``qyzmet token create|list|revoke``: bearer tokens for systems that call the JSON API.

A token is printed once, at creation, on stdout alone (so ``TOKEN=$(qyzmet token create …)`` works);
the database keeps only its SHA-256 and its first characters, by which it is listed and revoked.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from qyzmet.cli.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("token", help="API tokens for other systems: create, list, revoke")
    inner = p.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = inner.add_parser("create", help="make a token for a user and print it (once)")
    create.add_argument("username", metavar="USERNAME")
    create.add_argument("--name", default="", help="what the token is for, e.g. the calling system")
    create.set_defaults(func=lambda args: _with_db(_create, args))
    listing = inner.add_parser("list", help="list tokens (all, or one user's): prefix, name, dates")
    listing.add_argument("username", metavar="USERNAME", nargs="?")
    listing.set_defaults(func=lambda args: _with_db(_list, args))
    revoke = inner.add_parser("revoke", help="revoke the token whose prefix is given")
    revoke.add_argument("prefix", metavar="PREFIX")
    revoke.set_defaults(func=lambda args: _with_db(_revoke, args))


def _with_db(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from qyzmet.cli import django_setup

    django_setup.setup()
    from django.db import DatabaseError

    try:
        return command(args)
    except DatabaseError as exc:
        raise UsageError(f"the database cannot be used ({exc}); run `qyzmet manage migrate` first") from None


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UsageError(f"no user {username!r} (create one with `qyzmet manage createsuperuser` or the admin)")
    return user


def _create(args: argparse.Namespace) -> int:
    from qyzmet.api.tokens import create_token

    user = _user(args.username)
    token, raw = create_token(user, args.name)
    print(raw)
    print(f"token {token.prefix}… for {user.get_username()} — shown only now; use it as the header "
          f"'Authorization: Bearer <token>', e.g. curl -H \"Authorization: Bearer $TOKEN\" "
          f"http://127.0.0.1:8000/api/v1/tasks", file=sys.stderr)
    return 0


def _when(value) -> str:
    from qyzmet.core.calendar import to_local

    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _list(args: argparse.Namespace) -> int:
    from qyzmet.api.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if args.username:
        tokens = tokens.filter(user=_user(args.username))
    rows = [(t.prefix, t.user.get_username(), t.name or "—", _when(t.created_at), _when(t.last_used_at),
             f"revoked {_when(t.revoked_at)}" if t.revoked_at else "active") for t in tokens]
    if not rows:
        print("no API tokens")
        return 0
    headers = ("prefix", "user", "name", "created", "last used", "status")
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from qyzmet.api.tokens import revoke

    try:
        token = revoke(args.prefix)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"revoked token {token.prefix}… ({token.name or 'no name'}) of {token.user.get_username()}")
    return 0
