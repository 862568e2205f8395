"""``qyzmet token``: a token is shown once, works against the API, is listed by prefix and revoked by it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.api.models import ApiToken
from qyzmet.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk", password="x")


def test_create_prints_the_token_once_and_it_works(clerk, capsys):
    assert main(["token", "create", "clerk", "--name", "e-gov bridge"]) == 0
    out, err = capsys.readouterr()
    raw = out.strip()
    assert len(out.splitlines()) == 1 and len(raw) >= 40  # the token alone on stdout, for $(…)
    assert "Authorization: Bearer" in err and len(err.strip().splitlines()) == 1
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (clerk, "e-gov bridge", raw[:8]) and raw not in token.key_hash
    # The clerk belongs to no office: authenticated (not 401), but not staff (403).
    response = Client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403

    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert token.prefix in listing and "e-gov bridge" in listing and "active" in listing and raw not in listing

    assert main(["token", "revoke", token.prefix]) == 0
    assert "revoked" in capsys.readouterr().out
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert main(["token", "list", "clerk"]) == 0
    assert "revoked" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["token", "create", "nobody"], "no user 'nobody'"),
    (["token", "list", "nobody"], "no user 'nobody'"),
    (["token", "revoke", "zzzzzzzz"], "no active API token"),
    (["token", "revoke", ""], "prefix"),
])
def test_bad_input_is_one_line_and_exit_2(clerk, argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_ambiguous_prefix_revokes_nothing(clerk, capsys):
    from qyzmet.api.tokens import hash_token

    for suffix in ("a", "b"):
        ApiToken.objects.create(user=clerk, key_hash=hash_token(f"sameprefix{suffix}"), prefix="samepref")
    assert main(["token", "revoke", "same"]) == 2
    assert "2 active tokens" in capsys.readouterr().err
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
