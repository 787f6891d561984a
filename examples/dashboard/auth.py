"""Who is acting: the user a bearer token names, checked with a secret this application keeps.

A token is ``<user id>.<signature>``, the signature an HMAC-SHA256 of the user id under the
secret (``EXAMPLE_SECRET`` when run from the environment). ``POST /users`` (sign-up)
returns one; every other route needs one in ``Authorization: Bearer …``, else 401. The core
then checks what that user may do in the organisation named by the path (403, or 404 for
an organisation they are not a member of).

This stands in for an identity provider: a real application would verify its provider's
tokens (with an expiry, and revocation) here and pass the user id on the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

MIN_SECRET_LENGTH = 32
_LABEL = b"rabbit-dashboard-user:"


class TokenSigner:
    """Issues and verifies the dashboard's bearer tokens."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"the token secret needs at least {MIN_SECRET_LENGTH} characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(32))")'
            )
        self._secret = secret.encode()

    def issue(self, user_id: str) -> str:
        return f"{user_id}.{self._signature(user_id)}"

    def verify(self, token: str) -> str | None:
        """The user id the token names, or None when this secret did not sign it."""
        user_id, dot, signature = token.rpartition(".")
        if not dot or not user_id:
            return None
        expected = self._signature(user_id).encode()
        if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
            return None
        return user_id

    def _signature(self, user_id: str) -> str:
        mac = hmac.new(self._secret, _LABEL + user_id.encode("utf-8", "replace"), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
