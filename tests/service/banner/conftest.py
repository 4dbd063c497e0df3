"""Fixtures of the banner tests: the shop policy with cookies, its service, its banner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gardien.policy import Policy, load_policy
from tests.service.banner.site import SHOP, BannerSite, banner_site


@pytest.fixture
def shop() -> Policy:
    return load_policy(SHOP)


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Iterator[BannerSite]:
    with banner_site(sqlite_url, tmp_path) as built:
        yield built
