"""Repository ports: one per aggregate, every query scoped by organisation.

The contract every repository keeps (tests/contract proves it on both stores): ``get``
returns a copy (a change reaches the store only through ``update``), or None for a row of
no or another organisation (soft-deleted rows only with ``include_deleted``); ``add``
raises ConflictError naming the field a uniqueness rule refuses; ``update`` stores every
field, NotFoundError when the row is gone, UnlockedWriteError unless this unit of work
holds the row (read ``for_update``, claimed, or added by it: ADR 0012); nothing is
visible to others before ``commit``; lists are ordered as each method says, ties by ``id``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from rabbit.domain.enums import (
    ContentType,
    MaterialStatus,
    PendingPostStatus,
    SocialPlatform,
)
from rabbit.domain.model import (
    BillingEvent,
    BrandProfile,
    BrandProfileAccount,
    ContentEmbedding,
    CreditTransaction,
    ExternalSource,
    Material,
    Organization,
    OrganizationMember,
    PendingPost,
    Post,
    PostMetric,
    PublishAttempt,
    Schedule,
    SimilarContent,
    SocialAccount,
    Subscription,
    TokenKey,
    User,
)


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where a page of a listing starts: just after the row with this sort instant and id
    (ADR 0028). A ``page`` method returns the rows strictly before ``(at, id)`` in the order
    ``at`` descending, then ``id`` descending (ids compared as code points, which is
    PostgreSQL's byte order under ``COLLATE "C"``); the review queue, oldest first, the rows
    strictly after it in the same order ascending (``page_review_queue``)."""

    at: datetime
    id: str


def ascii_folded(text: str) -> str:
    """``text`` with A–Z lowered and nothing else changed: what PostgreSQL's ``lower`` does
    under ``COLLATE "C"`` whatever the database's locale, so a title search matches the
    same rows on both stores."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class UserRepository(Protocol):
    """Users are global (not tenant rows). Emails are unique, compared lower-cased."""

    async def add(self, user: User) -> None: ...
    async def get(
        self, user_id: str, *, include_deleted: bool = False, for_update: bool = False
    ) -> User | None: ...
    async def get_by_email(self, email: str) -> User | None:
        """The live user with this email (case-insensitive), or None."""
        ...

    async def update(self, user: User) -> None: ...
    async def delete_purged(self, before: datetime) -> int:
        """Hard-delete users soft-deleted before ``before``; the number removed."""
        ...


class OrganizationRepository(Protocol):
    async def add(self, organization: Organization) -> None:
        """ConflictError(field ``slug``) when the slug is taken."""
        ...

    async def get(
        self, organization_id: str, *, include_deleted: bool = False, for_update: bool = False
    ) -> Organization | None:
        """With ``for_update`` the organisation's row is the lock of rules over a set of its
        rows (the last OWNER among its members, the account limit): every unit of work that
        changes such a set locks it first."""
        ...

    async def get_by_slug(self, slug: str) -> Organization | None: ...
    async def update(self, organization: Organization) -> None: ...
    async def list_ids(self, *, include_deleted: bool = False) -> list[str]:
        """The ids of every organisation (soft-deleted ones only when asked), by id: for
        the system jobs (purge, key rotation) that sweep every tenant."""
        ...

    async def list_purgeable(self, before: datetime) -> list[Organization]:
        """Organisations soft-deleted before ``before``, by id."""
        ...

    async def delete(self, organization_id: str) -> None:
        """Hard delete; the database cascades to every tenant row."""
        ...


class MemberRepository(Protocol):
    async def add(self, member: OrganizationMember) -> None:
        """ConflictError(field ``user_id``) when the user is already a member."""
        ...

    async def get(
        self, organization_id: str, user_id: str, *, for_update: bool = False
    ) -> OrganizationMember | None: ...
    async def find(self, organization_id: str) -> list[OrganizationMember]:
        """Members of the organisation by created_at, then id."""
        ...

    async def list_for_user(self, user_id: str) -> list[OrganizationMember]:
        """Memberships of a user across organisations, by created_at, then id."""
        ...

    async def update(self, member: OrganizationMember) -> None: ...
    async def remove(self, organization_id: str, user_id: str) -> None:
        """Delete the membership (NotFoundError when there is none)."""
        ...


class SubscriptionRepository(Protocol):
    async def add(self, subscription: Subscription) -> None:
        """ConflictError(field ``organization_id``) when the organisation has one already."""
        ...

    async def get(self, organization_id: str, *, for_update: bool = False) -> Subscription | None:
        """The organisation's subscription. With ``for_update`` the row is locked until the
        unit of work ends, so concurrent deductions serialise and never overdraw."""
        ...

    async def update(self, subscription: Subscription) -> None: ...


class CreditLedger(Protocol):
    """The append-only credit ledger: rows are never updated or deleted."""

    async def append(self, transaction: CreditTransaction) -> None: ...
    async def find(
        self, organization_id: str, *, since: datetime | None = None
    ) -> list[CreditTransaction]:
        """Rows at or after ``since`` (all when None), by created_at, then id."""
        ...

    async def total(self, organization_id: str, *, since: datetime | None = None) -> int:
        """The sum of the amounts of those rows (0 when none)."""
        ...


class BillingEventRepository(Protocol):
    """The billing changes applied, by the payment provider's reference (ADR 0019).

    Append-only; the one repository read across organisations (by reference), because a
    reference is unique across them: only the system facade's billing use cases use it.
    """

    async def add(self, event: BillingEvent) -> None:
        """ConflictError(field ``reference``) when the reference is stored already, for
        whichever organisation."""
        ...

    async def get(self, reference: str) -> BillingEvent | None:
        """The event stored under ``reference`` (any organisation's), or None."""
        ...

    async def find(self, organization_id: str) -> list[BillingEvent]:
        """The organisation's events by created_at, then id."""
        ...


class BrandRepository(Protocol):
    async def add(self, brand: BrandProfile) -> None: ...
    async def get(
        self,
        organization_id: str,
        brand_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> BrandProfile | None: ...
    async def find(
        self, organization_id: str, *, include_deleted: bool = False
    ) -> list[BrandProfile]:
        """Brands by created_at, then id."""
        ...

    async def update(self, brand: BrandProfile) -> None: ...
    async def delete_purged(self, organization_id: str, before: datetime) -> int:
        """Hard-delete brands soft-deleted before ``before``; the number removed."""
        ...


class SocialAccountRepository(Protocol):
    async def add(self, account: SocialAccount) -> None:
        """ConflictError(field ``account_id``) when a live account of the same
        (platform, account_id) exists anywhere (the partial unique index)."""
        ...

    async def get(
        self,
        organization_id: str,
        account_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> SocialAccount | None: ...
    async def find(
        self, organization_id: str, *, include_deleted: bool = False
    ) -> list[SocialAccount]:
        """Accounts by created_at, then id."""
        ...

    async def list_all(
        self, *, include_deleted: bool = False, for_update: bool = False
    ) -> list[SocialAccount]:
        """Every organisation's accounts by id: for key rotation only."""
        ...

    async def count_live(self, organization_id: str) -> int:
        """Accounts that are not deleted (the tier limit counts these)."""
        ...

    async def update(self, account: SocialAccount) -> None: ...
    async def update_tokens_if_version(self, account: SocialAccount, expected_version: int) -> bool:
        """Store the account's token fields and ``token_version`` only if the stored version
        is still ``expected_version`` (compare-and-set); False when it was not."""
        ...

    async def delete_purged(self, organization_id: str, before: datetime) -> int: ...


class BrandAccountLinkRepository(Protocol):
    async def add(self, link: BrandProfileAccount) -> None:
        """ConflictError on a second link of the same (brand, account), or a second default
        of the same (brand, platform)."""
        ...

    async def get(
        self, organization_id: str, brand_id: str, account_id: str, *, for_update: bool = False
    ) -> BrandProfileAccount | None: ...
    async def update(self, link: BrandProfileAccount) -> None: ...
    async def remove(self, organization_id: str, brand_id: str, account_id: str) -> bool:
        """Delete the link; False when there was none."""
        ...

    async def list_for_brand(
        self, organization_id: str, brand_id: str, *, for_update: bool = False
    ) -> list[BrandProfileAccount]:
        """Links of a brand by created_at, then id."""
        ...

    async def list_for_account(
        self, organization_id: str, account_id: str
    ) -> list[BrandProfileAccount]:
        """Links of an account by created_at, then id."""
        ...


class ScheduleRepository(Protocol):
    async def add(self, schedule: Schedule) -> None: ...
    async def get(
        self, organization_id: str, schedule_id: str, *, for_update: bool = False
    ) -> Schedule | None:
        """With ``for_update``, the row stays locked until the unit of work ends."""
        ...

    async def find(self, organization_id: str, *, brand_id: str | None = None) -> list[Schedule]:
        """Schedules by created_at, then id."""
        ...

    async def update(self, schedule: Schedule) -> None: ...
    async def claim_due(self, now: datetime, *, limit: int) -> list[Schedule]:
        """Active schedules with next_run_at <= now, by next_run_at then id, at most
        ``limit``, locked for this unit of work. Rows locked by another unit of work are
        skipped (not waited for), so concurrent workers claim disjoint sets."""
        ...


class MaterialRepository(Protocol):
    async def add(self, material: Material) -> None: ...
    async def get(
        self,
        organization_id: str,
        material_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Material | None: ...
    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        statuses: Sequence[MaterialStatus] | None = None,
        include_deleted: bool = False,
        ids: Collection[str] | None = None,
    ) -> list[Material]:
        """Materials by created_at, then id, filtered by brand, status and id when given
        (``ids`` loads a known set in one call instead of one ``get`` each)."""
        ...

    async def page(
        self,
        organization_id: str,
        *,
        after: Keyset | None,
        limit: int,
        brand_id: str | None = None,
        statuses: Sequence[MaterialStatus] | None = None,
        name_contains: str | None = None,
    ) -> list[Material]:
        """At most ``limit`` live materials newest first (created_at, then id, both
        descending), strictly after ``after`` (:class:`Keyset` of ``created_at``), filtered
        by brand and status when given; ``name_contains`` keeps the rows whose name holds it
        with ASCII letters compared case-insensitively (:func:`ascii_folded`)."""
        ...

    async def count(
        self, organization_id: str, *, statuses: Sequence[MaterialStatus] | None = None
    ) -> int: ...
    async def update(self, material: Material) -> None: ...
    async def delete_purged(self, organization_id: str, before: datetime) -> int: ...


class ExternalSourceRepository(Protocol):
    async def add(self, source: ExternalSource) -> None: ...
    async def get(
        self, organization_id: str, source_id: str, *, for_update: bool = False
    ) -> ExternalSource | None: ...
    async def find(
        self, organization_id: str, *, brand_id: str | None = None
    ) -> list[ExternalSource]:
        """Sources by created_at, then id."""
        ...

    async def list_all(self, *, for_update: bool = False) -> list[ExternalSource]:
        """Every organisation's sources by id: for key rotation only."""
        ...

    async def update(self, source: ExternalSource) -> None: ...


class PendingPostRepository(Protocol):
    async def add(self, pending_post: PendingPost) -> None: ...
    async def get(
        self, organization_id: str, pending_post_id: str, *, for_update: bool = False
    ) -> PendingPost | None:
        """With ``for_update`` the row is locked until the unit of work ends."""
        ...

    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        statuses: Sequence[PendingPostStatus] | None = None,
    ) -> list[PendingPost]:
        """Pending posts by created_at, then id."""
        ...

    async def page_review_queue(
        self,
        organization_id: str,
        *,
        after: Keyset | None,
        limit: int,
        brand_id: str | None = None,
    ) -> list[PendingPost]:
        """At most ``limit`` PENDING posts of the review queue **oldest first** (created_at,
        then id, both ascending: the post that has waited longest, so nearest to expiring,
        comes first), strictly after ``after`` in that order (:class:`Keyset` of
        ``created_at``), of the brand when given."""
        ...

    async def update(self, pending_post: PendingPost) -> None: ...
    async def delete_for_brand(self, organization_id: str, brand_id: str) -> int:
        """Hard-delete the brand's pending posts, whatever their status; the number removed.

        Their publish attempts cascade and posts naming them keep their history with
        ``pending_post_id`` set to null; their embeddings (no foreign key) are the
        caller's to delete first. For purge only."""
        ...

    async def list_due(self, now: datetime, *, limit: int) -> list[PendingPost]:
        """AUTO_APPROVED or APPROVED posts with scheduled_for <= now across organisations,
        not backed off (``publish_after`` null or <= now), of organisations not soft-deleted;
        fair across organisations: each organisation's posts ranked by (scheduled_for, id),
        then ordered by (rank, scheduled_for, id), so a batch takes every organisation's
        first before anyone's second (ADR 0015); at most ``limit``, locked; locked rows are
        skipped."""
        ...

    async def list_expired(self, now: datetime, *, limit: int) -> list[PendingPost]:
        """PENDING posts with expires_at <= now, by expires_at then id, locked; skip locked."""
        ...


class PostRepository(Protocol):
    async def add(self, post: Post) -> None:
        """ConflictError(field ``platform``) when the pending post already has a post on
        that platform."""
        ...

    async def get(
        self,
        organization_id: str,
        post_id: str,
        *,
        include_deleted: bool = False,
        for_update: bool = False,
    ) -> Post | None: ...
    async def get_for_pending(
        self, organization_id: str, pending_post_id: str, platform: SocialPlatform
    ) -> Post | None: ...
    async def find(
        self,
        organization_id: str,
        *,
        brand_id: str | None = None,
        published_since: datetime | None = None,
        include_deleted: bool = False,
    ) -> list[Post]:
        """Posts by published_at descending (unpublished last), then id."""
        ...

    async def page_published(
        self,
        organization_id: str,
        *,
        after: Keyset | None,
        limit: int,
        brand_id: str | None = None,
        platform: SocialPlatform | None = None,
        published_from: datetime | None = None,
        published_before: datetime | None = None,
    ) -> list[Post]:
        """At most ``limit`` live published posts newest first (published_at, then id,
        both descending), strictly after ``after`` (:class:`Keyset` of ``published_at``),
        filtered by brand and platform, published at or after ``published_from`` and
        before ``published_before`` when given."""
        ...

    async def count_published(self, organization_id: str, *, since: datetime) -> int: ...
    async def update(self, post: Post) -> None: ...
    async def delete_purged(self, organization_id: str, before: datetime) -> int: ...


class PostMetricRepository(Protocol):
    async def add(self, metric: PostMetric) -> None: ...
    async def list_for_post(self, organization_id: str, post_id: str) -> list[PostMetric]:
        """Readings by collected_at, then id."""
        ...


class PublishAttemptRepository(Protocol):
    async def add(self, attempt: PublishAttempt) -> None:
        """ConflictError(field ``attempt_number``) when that attempt number exists for the
        (pending post, platform): two workers cannot start the same attempt."""
        ...

    async def update(self, attempt: PublishAttempt) -> None: ...
    async def list_for(
        self,
        organization_id: str,
        pending_post_id: str,
        platform: SocialPlatform,
        *,
        for_update: bool = False,
    ) -> list[PublishAttempt]:
        """Attempts by attempt_number."""
        ...


class EmbeddingRepository(Protocol):
    async def upsert(self, embedding: ContentEmbedding) -> ContentEmbedding:
        """Insert, or replace the vector, hash and organisation of the row with the same
        (content_type, content_id). Returns the stored row (its id is the first one's)."""
        ...

    async def get(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> ContentEmbedding | None: ...
    async def find_by_hash(
        self, organization_id: str, content_hash: str, *, since: datetime
    ) -> list[SimilarContent]:
        """Rows with this exact hash created at or after ``since`` (similarity 1.0), by
        created_at then content_id."""
        ...

    async def nearest(
        self,
        organization_id: str,
        vector: Sequence[float],
        *,
        since: datetime,
        limit: int,
        exclude: Sequence[tuple[ContentType, str]] = (),
    ) -> list[SimilarContent]:
        """The ``limit`` rows of the organisation created at or after ``since`` most similar
        to ``vector`` (similarity = 1 - cosine distance), most similar first, ties by
        content_id. Exact: never fewer rows than a brute-force scan would return."""
        ...

    async def delete_for(
        self, organization_id: str, content_type: ContentType, content_id: str
    ) -> None:
        """Remove the embedding of that content, if any."""
        ...


class TokenKeyRepository(Protocol):
    """The fingerprints of the token keys ever used, by key id (global, no organisation)."""

    async def register(self, key: TokenKey) -> TokenKey:
        """Store ``key`` unless a row with its id exists, and return the stored row: ``key``
        itself, or the one registered first. Never raises a conflict: two units of work
        registering the same new id at once both succeed and both get the first commit's
        row (PostgreSQL: one ``INSERT … ON CONFLICT`` statement)."""
        ...

    async def list_all(self) -> list[TokenKey]:
        """Every registered key, by id."""
        ...
