"""Creating, checking and revoking personal API tokens.

A key looks like `ca_<prefix>_<secret>`. The prefix finds the row; the SHA-256 of the whole key is
compared in constant time. The key is shown once, when it is made, and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit_app.accounts.models import ApiToken
from audit_app.models import User

logger = logging.getLogger(__name__)

KEY_PREFIX = "ca_"
MAX_ACTIVE_TOKENS = 10
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION_SECONDS = 60


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its key (to show once)."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the token a name, such as the system that will use it.")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(f"You have {MAX_ACTIVE_TOKENS} tokens; revoke one first.")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name, prefix=prefix, key_hash=_hash(key)
            )
    except IntegrityError as error:
        raise ValidationError("You already have a token with that name.") from error
    logger.info("user %s created API token %s", user.pk, token.pk)
    return token, key


def token_authenticate(key: str) -> ApiToken | None:
    """The active token for the key, or None. Records when it was last used."""
    parts = key.split("_")
    if len(parts) < 3 or not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("API token %s revoked", token.pk)
    return token
