"""Policy versions the ledger has enforced, and which purposes need new consent since each.

A consent given under an older policy version stays valid unless its purpose changed in a way
that needs new consent (new data categories or recipients: the person was not told about them,
GDPR arts. 4(11), 7(2), 13(3)). The ledger stores every policy version it has seen, in order,
with the purposes that needed new consent compared with the version before; a consent recorded
under ordinal *n* is outdated for a purpose changed at any ordinal above *n*.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.audit.events import PolicyVersionSeen
from gardien.documents.diff import diff_policies
from gardien.policy.model import Policy
from gardien.policy.taxonomy import covered_by
from gardien.policy.vocabulary import LegalBasisKind
from gardien.storage.tables import policy_versions

PurposeDiff = Callable[[Policy, Policy], frozenset[str]]
"""``(old, new) -> ids of the purposes of ``new`` whose consent must be asked again``."""


def purposes_with_new_data_or_recipients(old: Policy, new: Policy) -> frozenset[str]:
    """A simpler rule than ``gardien diff``'s: a consent-based purpose that now uses data or
    recipients it did not. For callers that want exactly this and nothing more."""
    changed = set()
    for purpose in new.purposes:
        before = old.purpose_by_id.get(purpose.id)
        if before is None or LegalBasisKind.CONSENT not in purpose.bases():
            continue
        old_categories = old.purpose_categories(before)
        new_data = any(not covered_by(c, old_categories) for c in new.purpose_categories(purpose))
        new_recipients = bool(set(purpose.recipients) - set(before.recipients))
        if new_data or new_recipients:
            changed.add(purpose.id)
    return frozenset(changed)


def default_purpose_diff() -> PurposeDiff:
    """``gardien diff``'s own answer, so the ledger and the published diff never disagree."""
    return diff_says


def diff_says(old: Policy, new: Policy) -> frozenset[str]:
    """The purposes :func:`gardien.documents.diff_policies` marks as needing new consent."""
    return diff_policies(old, new).purposes_needing_new_consent()


def content_hash(policy: Policy) -> str:
    """SHA-256 of the policy's canonical JSON: two files saying the same thing hash alike."""
    return hashlib.sha256(_document(policy).encode("utf-8")).hexdigest()


def _document(policy: Policy) -> str:
    return policy.model_dump_json(by_alias=True)


@dataclass(frozen=True)
class PolicyHistory:
    """Where the enforced policy stands among the versions seen."""

    ordinal: int
    version: str
    reconsent_since: Mapping[str, int]
    seen: PolicyVersionSeen | None
    """The event to audit when this version was seen for the first time."""


def register_policy(
    conn: Connection, policy: Policy, diff: PurposeDiff, at: datetime
) -> PolicyHistory:
    """Record ``policy`` if new (in the caller's write transaction) and compute its history."""
    digest = content_hash(policy)
    found = conn.execute(
        sa.select(policy_versions.c.id).where(policy_versions.c.content_hash == digest)
    ).scalar()
    seen = None
    if found is None:
        previous = conn.execute(
            sa.select(policy_versions.c.document).order_by(policy_versions.c.id.desc()).limit(1)
        ).scalar()
        needs = sorted(diff(Policy.model_validate_json(previous), policy)) if previous else []
        found = conn.execute(
            policy_versions.insert().returning(policy_versions.c.id),
            {
                "version": policy.version,
                "content_hash": digest,
                "first_seen_at": at,
                "needs_new_consent": needs,
                "document": _document(policy),
            },
        ).scalar_one()
        seen = PolicyVersionSeen(policy.version, digest, tuple(needs))
    since: dict[str, int] = {}
    for ordinal, needs_new in conn.execute(
        sa.select(policy_versions.c.id, policy_versions.c.needs_new_consent).where(
            policy_versions.c.id <= found
        )
    ):
        for purpose in needs_new:
            since[purpose] = max(since.get(purpose, 0), int(ordinal))
    return PolicyHistory(int(found), policy.version, since, seen)


def version_names(conn: Connection) -> dict[int, str]:
    """Ordinal to version text, for showing records."""
    return {
        int(i): str(v)
        for i, v in conn.execute(sa.select(policy_versions.c.id, policy_versions.c.version))
    }
