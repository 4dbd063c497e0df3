"""The cookie banner: a small script configured from the policy, and where its choices go.

Mount ``banner_router(policy_provider, consent_sink)`` in the service; paste
``<script src="https://gardien.example/banner.js"></script>`` first in the site's ``<head>``;
mark trackers ``<script type="text/plain" data-gardien-category="advertising" src=...>``.
"""

from gardien.service.banner.choice import (
    CHANNEL,
    BannerButton,
    BannerChoice,
    BannerChoiceError,
    BannerChoiceRequest,
    ConsentSink,
    StaleBannerError,
    checked_choice,
)
from gardien.service.banner.choices_store import SqliteChoicesStore, StoredChoice
from gardien.service.banner.config import (
    CHOICE_VALIDITY,
    CONSENT_COOKIE,
    GPC_REFUSED,
    BannerCategory,
    BannerConfig,
    BannerCookie,
    build_banner_config,
    consent_revision,
)
from gardien.service.banner.demo import DEMO_DIRECTORY
from gardien.service.banner.ledger_sink import LedgerBannerSink
from gardien.service.banner.router import PolicyProvider, banner_router
from gardien.service.banner.script import ServedScript, render_script

__all__ = [
    "CHANNEL",
    "CHOICE_VALIDITY",
    "CONSENT_COOKIE",
    "DEMO_DIRECTORY",
    "GPC_REFUSED",
    "BannerButton",
    "BannerCategory",
    "BannerChoice",
    "BannerChoiceError",
    "BannerChoiceRequest",
    "BannerConfig",
    "BannerCookie",
    "ConsentSink",
    "LedgerBannerSink",
    "PolicyProvider",
    "ServedScript",
    "SqliteChoicesStore",
    "StaleBannerError",
    "StoredChoice",
    "banner_router",
    "build_banner_config",
    "checked_choice",
    "consent_revision",
    "render_script",
]
