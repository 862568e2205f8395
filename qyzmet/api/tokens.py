"""API tokens: made once, shown once, stored as a hash, revoked by their prefix."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from qyzmet.api.models import ApiToken

PREFIX_LENGTH = 8
# "Last used" is for people deciding which tokens to revoke; to the minute is plenty, and it saves
# a database write on most requests.
_TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; the raw token is returned here and never again."""
    raw = secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken.objects.create(user=user, name=name.strip(), key_hash=hash_token(raw),
                                    prefix=raw[:PREFIX_LENGTH])
    return token, raw


class BadToken(Exception):
    """The token is unknown, revoked, or its user may no longer sign in."""


def user_for_token(raw: str):
    """The active user a token belongs to; raises :class:`BadToken` with the reason."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw.strip())).first()
    if token is None:
        raise BadToken("unknown API token")
    if token.revoked_at is not None:
        raise BadToken(f"the API token {token.prefix}… was revoked")
    if not token.user.is_active:
        raise BadToken("the API token's user account is disabled")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke(prefix: str) -> ApiToken:
    """Revoke the one active token starting with ``prefix``; ValueError when none or several match."""
    prefix = prefix.strip()
    if not prefix:
        raise ValueError("give the token's prefix, as `qyzmet token list` shows it")
    active = ApiToken.objects.select_related("user").filter(revoked_at__isnull=True)
    # A longer prefix than stored (the whole token, say) still names its token.
    if len(prefix) >= PREFIX_LENGTH:
        matches = list(active.filter(prefix=prefix[:PREFIX_LENGTH]))
    else:
        matches = list(active.filter(prefix__startswith=prefix))
    if not matches:
        raise ValueError(f"no active API token starts with {prefix!r}")
    if len(matches) > 1:
        raise ValueError(f"{len(matches)} active tokens start with {prefix!r}; give more of the prefix")
    token = matches[0]
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token
