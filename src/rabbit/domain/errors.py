"""The domain's errors: one small hierarchy, each naming what it is about.

Adapters translate their own failures into these (a violated unique constraint becomes
:class:`ConflictError`), so callers handle one vocabulary whatever the store.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """The root of every error the core raises on purpose."""

    code: str = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """Input broke a rule; ``field`` names the offending field (dotted for nested ones)."""

    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class UnreadableSecretError(DomainError):
    """A stored secret (a social token, a source's secret config value) cannot be decrypted
    where it was read: ``field`` names its place (``<table>.<column or config path>``),
    ``row_id`` its row, ``reason`` why (one of the constants below). The message never holds
    the value, plain or encrypted.

    ``MOVED`` is what a ciphertext copied from another row, column, field or organisation
    gives (each value is bound to its place, docs/adr/0016), as does an altered one;
    ``LEGACY`` is a value in the first stored form, which only the 0005 migration reads.
    """

    code = "unreadable_secret"

    MOVED = "moved"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    LEGACY = "legacy"

    _EXPLAINED: ClassVar[dict[str, str]] = {
        MOVED: "the encrypted value does not belong here (moved from elsewhere, or altered)",
        MALFORMED: "the encrypted value is malformed",
        UNKNOWN_KEY: "the encrypted value names a key the configuration does not hold",
        LEGACY: "the encrypted value is in the old v1 form: run `rabbit db upgrade`",
    }

    def __init__(self, field: str, row_id: str, reason: str, detail: str = "") -> None:
        explained = self._EXPLAINED.get(reason, reason)
        super().__init__(f"{field} of {row_id!r}: {explained}{f' ({detail})' if detail else ''}")
        self.field = field
        self.row_id = row_id
        self.reason = reason

    @property
    def value_is_bad(self) -> bool:
        """The stored value itself is wrong (moved, altered, malformed): no configuration
        change makes it readable; the secret must be stored again (reconnect the account).
        False for a deployment problem (a missing key, a database not yet migrated)."""
        return self.reason in (self.MOVED, self.MALFORMED)


class NotFoundError(DomainError):
    """No such record in the caller's organisation (another organisation's record included:
    the core never reveals that it exists)."""

    code = "not_found"

    def __init__(self, entity: str, entity_id: str) -> None:
        super().__init__(f"{entity} {entity_id!r} not found")
        self.entity = entity
        self.entity_id = entity_id


class PermissionDeniedError(DomainError):
    """The actor's role does not allow the action."""

    code = "permission_denied"

    def __init__(self, actor_id: str, permission: str) -> None:
        super().__init__(f"actor {actor_id!r} lacks the permission {permission!r}")
        self.actor_id = actor_id
        self.permission = permission


class ConflictError(DomainError):
    """A uniqueness rule or a concurrent change (compare-and-set) refused the write."""

    code = "conflict"

    def __init__(self, entity: str, field: str, message: str) -> None:
        super().__init__(f"{entity}.{field}: {message}")
        self.entity = entity
        self.field = field


class InvalidTransitionError(DomainError):
    """A status change that the lifecycle table does not allow."""

    code = "invalid_transition"

    def __init__(self, entity: str, entity_id: str, current: str, target: str) -> None:
        super().__init__(f"{entity} {entity_id!r} cannot move from {current} to {target}")
        self.entity = entity
        self.entity_id = entity_id
        self.current = current
        self.target = target


class InsufficientCreditsError(DomainError):
    """A deduction larger than the organisation's remaining credits; nothing was changed."""

    code = "insufficient_credits"

    def __init__(self, organization_id: str, required: int, available: int) -> None:
        super().__init__(
            f"organization {organization_id!r} needs {required} credits, has {available}"
        )
        self.organization_id = organization_id
        self.required = required
        self.available = available


class LimitExceededError(DomainError):
    """A tier limit (for example connected social accounts) would be exceeded."""

    code = "limit_exceeded"

    def __init__(self, field: str, limit: int) -> None:
        super().__init__(f"{field}: the tier allows at most {limit}")
        self.field = field
        self.limit = limit


class DuplicateContentError(DomainError):
    """Generated content is too similar to the organisation's recent content (similarity at
    or above the TOO_SIMILAR threshold, or an identical content hash); nothing was written
    and nothing charged."""

    code = "duplicate_content"

    def __init__(self, similarity: float, content_type: str, content_id: str) -> None:
        super().__init__(
            f"content is too similar ({similarity:.2f}) to {content_type} {content_id!r}"
        )
        self.similarity = similarity
        self.content_type = content_type
        self.content_id = content_id


class ConcurrentUpdateError(DomainError):
    """Two requests waited on each other's locks (a deadlock) and the store rolled this one
    back, having written nothing: the request may simply be retried. The core takes its row
    locks in one order (ADR 0012), so this stays rare; only PostgreSQL raises it."""

    code = "concurrent_update"

    def __init__(self, message: str = "a concurrent request held the same rows") -> None:
        super().__init__(f"{message}; nothing was written, retry the request")


class PlatformUnavailableError(DomainError):
    """A social platform could not be asked right now (timeout, outage), so nothing was
    done or stored: the request may be retried later. Raised where a member's request needs
    the platform's answer, such as connecting an account (whose token is it?)."""

    code = "platform_unavailable"

    def __init__(self, platform: str) -> None:
        super().__init__(f"{platform} cannot be reached right now; nothing was stored, retry later")
        self.platform = platform


class TokenKeyError(DomainError):
    """The token cipher's keys cannot be used safely, so the core refuses to start: none is
    configured where a development key is not allowed, a key file is readable by others,
    or a key id names another key than the one registered under it (ADR 0017). The message
    names the key id or the file, never key material."""

    code = "token_key"


class AdapterNotConfiguredError(DomainError):
    """A port has no real adapter behind it: the application built the core outside
    explicit development mode and did not plug in its own (ADR 0029). ``port`` names the
    port; the message says which provider to override. Nothing was sent, stored or charged.
    """

    code = "adapter_not_configured"

    def __init__(self, port: str, hint: str) -> None:
        super().__init__(f"no {port} is configured: {hint}")
        self.port = port
