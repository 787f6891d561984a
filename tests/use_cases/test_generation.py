"""Deduplication, generation (credits, approval, notices) and review."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from rabbit.application.ports import GeneratedContent, GenerationRequest
from rabbit.application.use_cases.deduplication import check_duplicate
from rabbit.application.use_cases.embeddings import embed_one
from rabbit.application.use_cases.review import ApprovePost, RejectPost
from rabbit.domain.enums import (
    ContentType,
    CreditAction,
    GenerationMode,
    MemberRole,
    PendingPostStatus,
)
from rabbit.domain.errors import (
    DuplicateContentError,
    InsufficientCreditsError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from rabbit.domain.policies.similarity import Verdict

from .app import App
from .content_support import LI, TOPICS, World, X, probe_embedder_for_open_units_of_work, world


async def verdict_of(w: World, text: str) -> tuple[Verdict, bool]:
    vector = await embed_one(w.app.ports.embedder, text)
    async with w.app.ports.uow() as uow:
        check = await check_duplicate(
            uow, w.org, text, vector, w.app.clock.now(), window=w.app.ports.config.dedup_window
        )
    return check.verdict, check.exact


async def test_identical_text_is_too_similar_by_its_hash(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    same_text = "  " + material.text.upper().replace(" ", "   ") + "\n"
    assert await verdict_of(w, same_text) == (Verdict.TOO_SIMILAR, True)


async def test_near_identical_text_is_too_similar_and_unrelated_text_unique(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    near = material.text.replace("twice", "two times")
    assert await verdict_of(w, near) == (Verdict.TOO_SIMILAR, False)
    assert await verdict_of(w, TOPICS[7]) == (Verdict.UNIQUE, False)


async def test_content_older_than_the_window_is_not_a_duplicate(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    app.clock.advance(timedelta(days=31))
    assert await verdict_of(w, material.text) == (Verdict.UNIQUE, False)


async def test_generation_charges_once_and_auto_approves(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    before = await w.credits()
    (pending,) = await w.generate(material, (X, LI))
    assert await w.credits() == before - 1
    assert pending.status is PendingPostStatus.AUTO_APPROVED
    assert pending.platforms == (X, LI)
    assert pending.generation_mode is GenerationMode.MANUAL
    assert pending.angle_reason
    assert w.content.notifier.sent == []
    ledger = await app.billing.ledger(w.owner, w.org)
    assert [(t.action, t.amount) for t in ledger][-1] == (CreditAction.GENERATE, -1)
    async with app.ports.uow() as uow:
        embedding = await uow.embeddings.get(w.org, ContentType.PENDING_POST, pending.id)
    assert embedding is not None
    assert pending.embedding_id == embedding.id


async def test_unique_per_platform_makes_one_pending_post_per_platform(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    before = await w.credits()
    created = await w.generate(material, (X, LI), unique_per_platform=True)
    assert [p.platforms for p in created] == [(X,), (LI,)]
    assert await w.credits() == before - 2


async def test_without_auto_approve_the_post_waits_and_reviewers_are_told(app: App) -> None:
    w = await world(app, auto_approve=False)
    material = await w.ready_material(TOPICS[0])
    (pending,) = await w.generate(material)
    assert pending.status is PendingPostStatus.PENDING
    assert pending.expires_at == app.clock.now() + timedelta(hours=24)
    assert [n.pending_post_id for n in w.content.notifier.sent] == [pending.id]


async def test_insufficient_credits_stop_generation_and_write_nothing(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    async with app.ports.uow() as uow:
        subscription = await uow.subscriptions.get(w.org, for_update=True)
        assert subscription is not None
        subscription.credits_used = subscription.credits_total
        await uow.subscriptions.update(subscription)
        await uow.commit()
    pending_before = (await w.content.review.list_pending(w.owner, w.org)).items
    ledger_before = await app.billing.ledger(w.owner, w.org)
    with pytest.raises(InsufficientCreditsError):
        await w.generate(material)
    assert (await w.content.review.list_pending(w.owner, w.org)).items == pending_before
    assert await app.billing.ledger(w.owner, w.org) == ledger_before
    async with app.ports.uow() as uow:
        created = await uow.pending_posts.find(w.org)
    assert material.id not in {p.material_id for p in created}


async def test_a_duplicate_post_is_refused_and_nothing_is_charged(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    await w.generate(material)
    before = await w.credits()
    with pytest.raises(DuplicateContentError):
        await w.generate(material)  # the same material and angle: the same post again
    assert await w.credits() == before
    async with app.ports.uow() as uow:
        assert len(await uow.pending_posts.find(w.org)) == 1


async def test_a_viewer_cannot_generate(app: App) -> None:
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    viewer = await app.member(w.org, w.owner, MemberRole.VIEWER)
    w.owner = viewer
    with pytest.raises(PermissionDeniedError):
        await w.generate(material)


async def test_approving_with_edits_re_embeds_the_content(app: App) -> None:
    w = await world(app, auto_approve=False)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    approved = await w.content.review.approve(
        w.owner, w.org, pending.id, ApprovePost(content=TOPICS[9], review_notes="shorter")
    )
    assert approved.status is PendingPostStatus.APPROVED
    assert approved.review_notes == "shorter"
    assert await verdict_of(w, TOPICS[9]) == (Verdict.TOO_SIMILAR, True)


async def test_rejecting_keeps_the_notes_and_a_reviewed_post_cannot_be_reviewed_again(
    app: App,
) -> None:
    w = await world(app, auto_approve=False)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    rejected = await w.content.review.reject(
        w.owner, w.org, pending.id, RejectPost(review_notes="off brand")
    )
    assert (rejected.status, rejected.review_notes) == (PendingPostStatus.REJECTED, "off brand")
    with pytest.raises(InvalidTransitionError):
        await w.content.review.approve(w.owner, w.org, pending.id, ApprovePost())


async def test_an_auto_approved_post_cannot_be_reviewed(app: App) -> None:
    w = await world(app)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    with pytest.raises(InvalidTransitionError):
        await w.content.review.reject(w.owner, w.org, pending.id, RejectPost())


async def test_stale_pending_posts_expire(app: App) -> None:
    w = await world(app, auto_approve=False)
    (pending,) = await w.generate(await w.ready_material(TOPICS[0]))
    assert await w.content.expiry.expire_stale(app.clock.now()) == 0
    later = app.clock.advance(timedelta(hours=24))
    assert await w.content.expiry.expire_stale(later) == 1
    async with app.ports.uow() as uow:
        stored = await uow.pending_posts.get(w.org, pending.id, for_update=True)
    assert stored is not None
    assert stored.status is PendingPostStatus.EXPIRED
    assert await w.content.expiry.expire_stale(later) == 0


async def test_the_models_run_outside_any_unit_of_work_and_the_material_is_read_again(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the content generator works, another request archives the material. Had the
    generation held its unit of work, the memory store (one unit of work at a time) would
    wait forever and Postgres would store a post of an archived material."""
    w = await world(app)
    material = await w.ready_material(TOPICS[0])
    original = app.ports.generator.generate

    async def archiving_meanwhile(request: GenerationRequest) -> GeneratedContent:
        await w.content.materials.archive_material(w.owner, w.org, material.id)
        return await original(request)

    monkeypatch.setattr(app.ports.generator, "generate", archiving_meanwhile)
    credits = await w.credits()

    with pytest.raises(ValidationError) as error:
        await asyncio.wait_for(w.generate(material), timeout=60)

    assert error.value.field == "material_id"
    assert await w.credits() == credits
    async with app.ports.uow() as uow:
        assert await uow.pending_posts.find(w.org) == []


async def test_approving_with_edits_embeds_outside_any_unit_of_work(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memory store runs one unit of work at a time: a use case called from inside the
    embedder would wait forever if approve held a unit of work around the model call."""
    w = await world(app, auto_approve=False)
    material = await w.ready_material(TOPICS[0])
    (pending,) = await w.generate(material)
    probed = probe_embedder_for_open_units_of_work(w, monkeypatch)
    approved = await w.content.review.approve(
        w.owner, w.org, pending.id, ApprovePost(content="Edited by a careful reviewer.")
    )

    assert approved.content == "Edited by a careful reviewer."
    assert len(probed) == 1
