"""Everything the two facades return, from one module: the entities, the read models, the
page of a listing and the reports of the system's jobs.

An application annotates what it gets back with these names (``Page[MaterialSummary]``,
``PendingPost``…) instead of reaching into ``rabbit.domain.model`` or a use-case module;
``tests/test_public_surface.py`` checks that every type a facade method returns, and every
type inside it, is here. Entities are returned as copies: changing one changes nothing
stored (a change goes through a use case).

Importing this module loads no database driver.
"""

from __future__ import annotations

from rabbit.application.pagination import Page
from rabbit.application.read_models import (
    MaterialSummary,
    MembershipView,
    PublishAttemptView,
    PublishedPostView,
    UserView,
)
from rabbit.application.use_cases.analytics import Dashboard
from rabbit.application.use_cases.autopilot import TickReport
from rabbit.application.use_cases.billing import CreditBalance
from rabbit.application.use_cases.external_sources import ExternalSourceView
from rabbit.application.use_cases.key_rotation import RotationReport
from rabbit.application.use_cases.links import LinkedAccount, LinkedBrand
from rabbit.application.use_cases.posts import Retry, RetryOutcome
from rabbit.application.use_cases.publishing import Outcome, PublishReport
from rabbit.application.use_cases.purge import PurgeReport
from rabbit.application.use_cases.token_keys import KeyCheckReport
from rabbit.domain.enums import (
    CreditAction,
    GenerationMode,
    MaterialStatus,
    PendingPostStatus,
    PublishAttemptStatus,
    SubscriptionStatus,
)
from rabbit.domain.limits import DEFAULT_PAGE, MAX_PAGE
from rabbit.domain.model import (
    BrandProfile,
    BrandProfileAccount,
    CreditTransaction,
    Material,
    Organization,
    OrganizationMember,
    PendingPost,
    Post,
    Schedule,
    SocialAccount,
    Subscription,
    User,
)
from rabbit.domain.policies.analytics import AnglePerformance, PlatformPerformance

__all__ = [
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "AnglePerformance",
    "BrandProfile",
    "BrandProfileAccount",
    "CreditAction",
    "CreditBalance",
    "CreditTransaction",
    "Dashboard",
    "ExternalSourceView",
    "GenerationMode",
    "KeyCheckReport",
    "LinkedAccount",
    "LinkedBrand",
    "Material",
    "MaterialStatus",
    "MaterialSummary",
    "MembershipView",
    "Organization",
    "OrganizationMember",
    "Outcome",
    "Page",
    "PendingPost",
    "PendingPostStatus",
    "PlatformPerformance",
    "Post",
    "PublishAttemptStatus",
    "PublishAttemptView",
    "PublishReport",
    "PublishedPostView",
    "PurgeReport",
    "Retry",
    "RetryOutcome",
    "RotationReport",
    "Schedule",
    "SocialAccount",
    "Subscription",
    "SubscriptionStatus",
    "TickReport",
    "User",
    "UserView",
]
