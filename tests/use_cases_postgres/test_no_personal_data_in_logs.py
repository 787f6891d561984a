"""No secret or personal data in any log record, even with every logger at DEBUG (ADR 0021).

A whole flow runs through the composition root on PostgreSQL — register users (marker
emails and names), invite one, create a brand (marker notify email and webhook), connect an
account (marker tokens), add a source (marker secret), upload a material, generate and
publish — with the root logger, the units of work's SQL log (``rabbit_postgres.sql``) and
SQLAlchemy's engine log all at DEBUG. Without ``RABBIT_DEV`` no marker, no token ciphertext
and no post content is in any record's message or arguments; with it (explicit development
mode) statement parameters are logged, which shows the check can fail.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from dependency_injector import providers

from rabbit.application.use_cases.billing import ChangeTier
from rabbit.application.use_cases.brands import CreateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.generation import GeneratePost
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.materials import RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.organizations import (
    CreateOrganization,
    InviteMember,
    RegisterUser,
)
from rabbit.application.use_cases.publishing import Outcome
from rabbit.application.use_cases.social_accounts import ConnectAccount
from rabbit.bootstrap.containers import create_container, running
from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit.domain.enums import (
    ExternalSourceType,
    MaterialType,
    SocialPlatform,
    SubscriptionTier,
)
from rabbit_local import RecordingPublisher
from rabbit_local.cipher import encode_key

pytestmark = pytest.mark.postgres

KEYS = f"k1={encode_key(bytes(range(32)))}"


async def run_flow(settings: Settings) -> list[str]:
    """The flow of the module docstring; the values that must not be logged."""
    mark = uuid.uuid4().hex[:10]
    personal_and_secret = {
        "owner_email": f"owner-{mark}@mark.example.com",
        "owner_name": f"Owner Mk{mark}",
        "invitee_email": f"invitee-{mark}@mark.example.com",
        "invitee_name": f"Invitee Mk{mark}",
        "notify_email": f"review-{mark}@mark.example.com",
        "webhook": f"https://hooks.example.com/services/{mark}-hook",
        "access_token": f"plain-access-{mark}",
        "refresh_token": f"plain-refresh-{mark}",
        "api_key": f"plain-api-key-{mark}",
        "content": f"Our solar backpack Mk{mark} charges a phone twice on a hike.",
    }
    secret = personal_and_secret
    container = create_container(settings)
    # what an application does on a DATABASE_URL server: plug in its platforms (ADR 0029)
    platform = RecordingPublisher()
    container.services.publisher.override(providers.Object(platform))
    async with running(container):
        rabbit = container.rabbit()
        now = container.services.clock().now()
        owner = await rabbit.organizations.register_user(
            RegisterUser(email=secret["owner_email"], name=secret["owner_name"])
        )
        org = await rabbit.organizations.create_organization(
            owner.id, CreateOrganization(name="Acme", slug=f"acme-{mark}")
        )
        system = container.system()
        await system.payments.change_tier(
            org.id, ChangeTier(tier=SubscriptionTier.BUSINESS), f"evt_{mark}"
        )
        invitee = await rabbit.organizations.register_user(
            RegisterUser(email=secret["invitee_email"], name=secret["invitee_name"])
        )
        await rabbit.organizations.invite_member(owner.id, org.id, InviteMember(user_id=invitee.id))
        await rabbit.organizations.accept_invitation(invitee.id, org.id)
        brand = await rabbit.brands.create_brand(
            owner.id,
            org.id,
            CreateBrand(
                name="Brand", notify_email=secret["notify_email"], notify_webhook=secret["webhook"]
            ),
        )
        platform.issue_token(SocialPlatform.TWITTER, f"tw-{mark}", secret["access_token"])
        account = await rabbit.social_accounts.connect_account(
            owner.id,
            org.id,
            ConnectAccount(
                platform=SocialPlatform.TWITTER,
                account_id=f"tw-{mark}",
                account_name="@acme",
                access_token=secret["access_token"],
                refresh_token=secret["refresh_token"],
            ),
        )
        await rabbit.links.link_account(
            owner.id, org.id, brand.id, account.id, LinkAccount(is_default=True)
        )
        source = await rabbit.external_sources.add_external_source(
            owner.id,
            org.id,
            brand.id,
            AddExternalSource(
                type=ExternalSourceType.SHOPIFY,
                name="Shop",
                connection_config={"api_key": secret["api_key"]},
            ),
        )
        material = await rabbit.materials.upload_material(
            owner.id,
            org.id,
            UploadMaterial(
                type=MaterialType.TEXT,
                brand_profile_id=brand.id,
                name="Backpack",
                original_content=secret["content"],
            ),
        )
        await rabbit.materials.start_analysis(owner.id, org.id, material.id)
        await rabbit.materials.record_analysis(
            owner.id,
            org.id,
            material.id,
            RecordAnalysis(summary=secret["content"], key_points=("solar",)),
        )
        await rabbit.materials.store_embedding(owner.id, org.id, material.id)
        (pending,) = await rabbit.generations.generate_post(
            owner.id,
            org.id,
            GeneratePost(
                material_id=material.id,
                brand_profile_id=brand.id,
                platforms=(SocialPlatform.TWITTER,),
            ),
        )
        outcome = await system.publishing.publish_platform(
            org.id, pending.id, SocialPlatform.TWITTER, now + timedelta(days=60)
        )
        assert outcome is Outcome.PUBLISHED  # the token was decrypted and sent
        [stored] = await rabbit.social_accounts.list_accounts(owner.id, org.id)
        async with container.ports().uow() as uow:  # the listing masks it: read the row
            stored_source = await uow.external_sources.get(org.id, source.id)
        assert stored_source is not None
        ciphertexts = [
            stored.access_token,
            str(stored.refresh_token),
            stored_source.connection_config.secrets()["api_key"],
        ]
    return [*personal_and_secret.values(), pending.content, *ciphertexts]


def logged_text(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record's formatted message and its arguments, one text per record."""
    return [f"{record.getMessage()}\n{record.args!r}" for record in caplog.records]


@pytest.fixture
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "sqlalchemy.engine", "rabbit_postgres.sql", "rabbit", "asyncpg"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def settings_for(postgres_url: str, data_dir: Path, *, dev: bool) -> Settings:
    return Settings(
        store=StoreKind.POSTGRES,
        database_url=postgres_url,
        data_dir=data_dir,
        token_keys=KEYS,
        dev=dev,
    )


async def test_no_secret_or_personal_data_is_logged_at_debug(
    postgres_url: str, tmp_path: Path, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    secrets = await run_flow(settings_for(postgres_url, tmp_path, dev=False))

    records = logged_text(every_logger_at_debug)
    names = {record.name for record in every_logger_at_debug.records}
    assert {"rabbit_postgres.sql", "sqlalchemy.engine.Engine"} <= names  # logging was on
    assert any("INSERT INTO users" in text for text in records)
    for value in secrets:
        leaks = [text[:200] for text in records if value in text]
        assert leaks == [], f"{value!r} logged"


async def test_explicit_development_mode_logs_statement_parameters(
    postgres_url: str, tmp_path: Path, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    secrets = await run_flow(settings_for(postgres_url, tmp_path, dev=True))

    logged = "\n".join(logged_text(every_logger_at_debug))
    owner_email, *_ = secrets
    access_ciphertext = secrets[-3]
    assert owner_email in logged
    assert access_ciphertext in logged
