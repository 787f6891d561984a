"""The typed inputs of the use cases, and the enums and value objects their fields take.

Every command is a frozen pydantic model refusing unknown keys; bad input raises
:class:`rabbit.errors.ValidationError` naming the field, whether the command is built by
hand (``CreateBrand(name=…)``) or parsed from a request body (``CreateBrand.parse(body)``).
A facade method takes its command after the acting user's and organisation's ids::

    brand = await rabbit.brands.create_brand(actor_id, organization_id, CreateBrand(name="Acme"))

Importing this module loads no database driver.
"""

from __future__ import annotations

from rabbit.application.use_cases._commands import Command
from rabbit.application.use_cases.billing import ChangeTier
from rabbit.application.use_cases.brands import CreateBrand, UpdateBrand
from rabbit.application.use_cases.external_sources import AddExternalSource
from rabbit.application.use_cases.generation import GeneratePost
from rabbit.application.use_cases.links import LinkAccount
from rabbit.application.use_cases.materials import IngestMaterial, RecordAnalysis, UploadMaterial
from rabbit.application.use_cases.metrics import RecordMetrics
from rabbit.application.use_cases.organizations import (
    ChangeRole,
    CreateOrganization,
    InviteMember,
    RegisterUser,
)
from rabbit.application.use_cases.review import ApprovePost, RejectPost
from rabbit.application.use_cases.schedules import CreateSchedule, UpdateSchedule
from rabbit.application.use_cases.social_accounts import ConnectAccount, RefreshedTokens
from rabbit.domain.enums import (
    ContentAngle,
    ExternalSourceType,
    FontPreference,
    MaterialStrategy,
    MaterialType,
    MemberRole,
    ScheduleFrequency,
    Sentiment,
    SocialAccountType,
    SocialPlatform,
    SubscriptionTier,
    VisualStyle,
)
from rabbit.domain.values import (
    BrandColors,
    ContentPillar,
    ContentPillars,
    ExamplePost,
    ExternalSourceConfig,
    LanguageRules,
    PlatformSetting,
    PlatformSettings,
)

__all__ = [
    "AddExternalSource",
    "ApprovePost",
    "BrandColors",
    "ChangeRole",
    "ChangeTier",
    "Command",
    "ConnectAccount",
    "ContentAngle",
    "ContentPillar",
    "ContentPillars",
    "CreateBrand",
    "CreateOrganization",
    "CreateSchedule",
    "ExamplePost",
    "ExternalSourceConfig",
    "ExternalSourceType",
    "FontPreference",
    "GeneratePost",
    "IngestMaterial",
    "InviteMember",
    "LanguageRules",
    "LinkAccount",
    "MaterialStrategy",
    "MaterialType",
    "MemberRole",
    "PlatformSetting",
    "PlatformSettings",
    "RecordAnalysis",
    "RecordMetrics",
    "RefreshedTokens",
    "RegisterUser",
    "RejectPost",
    "ScheduleFrequency",
    "Sentiment",
    "SocialAccountType",
    "SocialPlatform",
    "SubscriptionTier",
    "UpdateBrand",
    "UpdateSchedule",
    "UploadMaterial",
    "VisualStyle",
]
