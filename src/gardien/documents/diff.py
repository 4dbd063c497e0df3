"""What changed between two versions of a policy, and what each change obliges the controller to do.

A new policy version is not only a new notice. GDPR art. 13(3) and 14(4): people must be told
before their data is used for a new purpose, and the notice must stay accurate (art. 12(1)). A
consent covers what the person was told when giving it (art. 4(11), 7(1)): when a consent-based
purpose uses more categories, more recipients, or a purpose becomes consent-based, the earlier
consents no longer cover it and must be asked again. :func:`diff_policies` finds every change
and grades it with an :class:`Impact`; the ledger asks
:meth:`PolicyDiff.purposes_needing_new_consent` which consents lapse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from gardien.documents.changes import MESSAGES, ChangeKind, Impact
from gardien.documents.language import checked_language
from gardien.documents.wording import is_transfer
from gardien.policy.durations import Duration
from gardien.policy.model import Cookie, Policy, Purpose, Text
from gardien.policy.taxonomy import covered_by


@dataclass(frozen=True)
class PolicyChange:
    """One difference between two policy versions, and what it obliges.

    ``target`` is the purpose id, the cookie name, the recipient id, or the section name for
    policy-wide changes; ``added``/``removed`` list the ids concerned.
    """

    kind: ChangeKind
    target: str
    impact: Impact
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    label: Text | None = None

    def message(self, lang: str = "fr") -> str:
        """The change in a sentence, in French or English."""
        language = checked_language(lang)
        french, english = MESSAGES[self.kind]
        name = self.label.in_(language) if self.label else self.target
        return (english if language == "en" else french).format(
            target=name,
            added=", ".join(self.added),
            removed=", ".join(self.removed),
        )


@dataclass(frozen=True)
class PolicyDiff:
    """Every change from one policy version to the next."""

    old_version: str
    new_version: str
    changes: tuple[PolicyChange, ...]

    @property
    def impact(self) -> Impact:
        """The strongest impact of any change (``none`` when nothing changed)."""
        return max((c.impact for c in self.changes), key=lambda i: i.rank, default=Impact.NONE)

    @property
    def needs_action(self) -> bool:
        return self.impact is not Impact.NONE

    def purposes_needing_new_consent(self) -> frozenset[str]:
        """Purposes whose earlier consents no longer hold; any other consent stays valid."""
        return frozenset(
            c.target
            for c in self.changes
            if c.impact is Impact.RECONSENT and c.kind.is_about_a_purpose
        )

    @property
    def needs_new_cookie_consent(self) -> bool:
        """Whether the cookie banner must ask again (a new tracker needing consent, or more)."""
        return any(c.impact is Impact.RECONSENT and c.kind.is_about_a_cookie for c in self.changes)


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Compare two versions of a policy (GDPR art. 13(3), 14(4), 7(1))."""
    changes = [
        *_purpose_changes(old, new),
        *_source_changes(old, new),
        *_recipient_changes(old, new),
        *_cookie_changes(old, new),
        *_policy_wide_changes(old, new),
    ]
    return PolicyDiff(old.version, new.version, tuple(changes))


def _canon(value: BaseModel | Iterable[BaseModel] | None, exclude: set[str] | None = None) -> str:
    """A canonical text for comparing values regardless of their ids."""
    if value is None:
        return ""
    if isinstance(value, BaseModel):
        return value.model_dump_json(exclude=exclude)
    return "\n".join(sorted(v.model_dump_json(exclude=exclude) for v in value))


def _grown(before: Iterable[str], after: Iterable[str]) -> tuple[str, ...]:
    """Category ids in ``after`` not covered by any of ``before`` (a child is covered)."""
    earlier = list(before)
    return tuple(c for c in after if not covered_by(c, earlier))


def _purpose_changes(old: Policy, new: Policy) -> Iterator[PolicyChange]:
    for purpose in new.purposes:
        if purpose.id not in old.purpose_by_id:
            yield PolicyChange(
                ChangeKind.PURPOSE_ADDED, purpose.id, Impact.INFORM, label=purpose.title
            )
    for purpose in old.purposes:
        if purpose.id not in new.purpose_by_id:
            yield PolicyChange(
                ChangeKind.PURPOSE_REMOVED, purpose.id, Impact.INFORM, label=purpose.title
            )
    for after in new.purposes:
        before = old.purpose_by_id.get(after.id)
        if before is not None:
            yield from _one_purpose(old, before, new, after)


def _one_purpose(
    old: Policy, before: Purpose, new: Policy, after: Purpose
) -> Iterator[PolicyChange]:
    def change(
        kind: ChangeKind, impact: Impact, added: Iterable[str] = (), removed: Iterable[str] = ()
    ) -> PolicyChange:
        return PolicyChange(kind, after.id, impact, tuple(added), tuple(removed), after.title)

    # Consent covers what the person was told (art. 7(1)): more of it needs consent again.
    grows = Impact.RECONSENT if after.needs_consent else Impact.INFORM
    became_consent = after.needs_consent and not before.needs_consent

    if before.title != after.title or before.description != after.description:
        yield change(ChangeKind.PURPOSE_REWORDED, Impact.NONE)

    old_categories = old.purpose_categories(before)
    new_categories = new.purpose_categories(after)
    if added := _grown(old_categories, new_categories):
        yield change(ChangeKind.CATEGORIES_ADDED, grows, added=added)
    if removed := _grown(new_categories, old_categories):
        yield change(ChangeKind.CATEGORIES_REMOVED, Impact.INFORM, removed=removed)

    lists = (
        (
            ChangeKind.SUBJECTS_ADDED,
            ChangeKind.SUBJECTS_REMOVED,
            Impact.INFORM,
            before.subjects,
            after.subjects,
        ),
        (
            ChangeKind.SOURCES_ADDED,
            ChangeKind.SOURCES_REMOVED,
            Impact.INFORM,
            before.sources,
            after.sources,
        ),
        (
            ChangeKind.RECIPIENTS_ADDED,
            ChangeKind.RECIPIENTS_REMOVED,
            grows,
            before.recipients,
            after.recipients,
        ),
    )
    for kind_added, kind_removed, impact, earlier, later in lists:
        if added := tuple(x for x in later if x not in earlier):
            yield change(kind_added, impact, added=added)
        if removed := tuple(x for x in earlier if x not in later):
            yield change(kind_removed, Impact.INFORM, removed=removed)

    if _canon(before.legal_bases) != _canon(after.legal_bases) or (
        before.special_category_condition != after.special_category_condition
    ):
        yield change(
            ChangeKind.LEGAL_BASIS_CHANGED,
            Impact.RECONSENT if became_consent else Impact.INFORM,
            added=[str(b) for b in after.bases() if b not in before.bases()],
            removed=[str(b) for b in before.bases() if b not in after.bases()],
        )
    if before.direct_marketing != after.direct_marketing:
        # Consent to a service is not consent to marketing with the same data.
        reconsent = became_consent or (after.direct_marketing and after.needs_consent)
        yield change(
            ChangeKind.DIRECT_MARKETING_CHANGED,
            Impact.RECONSENT if reconsent else Impact.INFORM,
        )

    old_rule = old.retention_by_id.get(before.retention or "")
    new_rule = new.retention_by_id.get(after.retention or "")
    if _canon(old_rule, {"id"}) != _canon(new_rule, {"id"}):
        yield change(ChangeKind.RETENTION_CHANGED, Impact.INFORM)
    old_holds = [old.hold_by_id[h] for h in before.legal_holds if h in old.hold_by_id]
    new_holds = [new.hold_by_id[h] for h in after.legal_holds if h in new.hold_by_id]
    if _canon(old_holds, {"id"}) != _canon(new_holds, {"id"}):
        yield change(ChangeKind.LEGAL_HOLDS_CHANGED, Impact.INFORM)

    if _canon(before.automated_decision) != _canon(after.automated_decision):
        # A decision newly taken on consent must be consented to explicitly (art. 22(2)(c)).
        new_decision = before.automated_decision is None and after.needs_consent
        yield change(
            ChangeKind.AUTOMATED_DECISION_CHANGED,
            Impact.RECONSENT if new_decision else Impact.INFORM,
        )
    if _canon(before.consent) != _canon(after.consent):
        # How to withdraw or how long a consent lasts: the consent itself still holds.
        yield change(ChangeKind.CONSENT_TERMS_CHANGED, Impact.NONE)


def _source_changes(old: Policy, new: Policy) -> Iterator[PolicyChange]:
    """A source that now means another origin or third party (art. 14(2)(f))."""
    for after in new.sources:
        before = old.source_by_id.get(after.id)
        if before is not None and (before.kind, before.third_party) != (
            after.kind,
            after.third_party,
        ):
            yield PolicyChange(ChangeKind.SOURCE_CHANGED, after.id, Impact.INFORM)


def _recipient_changes(old: Policy, new: Policy) -> Iterator[PolicyChange]:
    """Changes of a recipient itself, wherever used: identity and transfers (art. 13(1)(e)-(f))."""
    for after in new.recipients:
        before = old.recipient_by_id.get(after.id)
        if before is None:
            if is_transfer(after):
                yield PolicyChange(ChangeKind.TRANSFER_ADDED, after.id, Impact.INFORM)
            continue
        if (before.name, before.kind, before.description) != (
            after.name,
            after.kind,
            after.description,
        ):
            yield PolicyChange(ChangeKind.RECIPIENT_CHANGED, after.id, Impact.INFORM)
        if is_transfer(after) and not is_transfer(before):
            yield PolicyChange(ChangeKind.TRANSFER_ADDED, after.id, Impact.INFORM)
        elif is_transfer(before) and not is_transfer(after):
            yield PolicyChange(ChangeKind.TRANSFER_REMOVED, after.id, Impact.INFORM)
        elif is_transfer(after) and (before.country, before.safeguard) != (
            after.country,
            after.safeguard,
        ):
            yield PolicyChange(ChangeKind.TRANSFER_CHANGED, after.id, Impact.INFORM)
    for before in old.recipients:
        if before.id not in new.recipient_by_id and is_transfer(before):
            yield PolicyChange(ChangeKind.TRANSFER_REMOVED, before.id, Impact.INFORM)


def _cookie_key(cookie: Cookie) -> tuple[str, str]:
    return (cookie.name, cookie.provider)


def _longer(after: Cookie, before: Cookie) -> bool:
    if not isinstance(after.lifetime, Duration):
        return False
    if not isinstance(before.lifetime, Duration):
        return True
    return after.lifetime.exceeds(before.lifetime)


def _cookie_changes(old: Policy, new: Policy) -> Iterator[PolicyChange]:
    """Trackers (ePrivacy art. 5(3)): a new or widened non-exempt one needs the banner again."""
    earlier = {_cookie_key(c): c for c in old.cookies}
    later = {_cookie_key(c): c for c in new.cookies}
    for key, after in later.items():
        before = earlier.get(key)
        if before is None:
            impact = Impact.INFORM if after.exempt else Impact.RECONSENT
            yield PolicyChange(ChangeKind.COOKIE_ADDED, after.name, impact)
        elif _canon(before) != _canon(after):
            widened = not after.exempt and (
                before.exempt
                or before.category != after.category
                or before.purpose != after.purpose
                or _longer(after, before)
            )
            yield PolicyChange(
                ChangeKind.COOKIE_CHANGED,
                after.name,
                Impact.RECONSENT if widened else Impact.NONE,
            )
    for key, before in earlier.items():
        if key not in later:
            yield PolicyChange(ChangeKind.COOKIE_REMOVED, before.name, Impact.NONE)


def _policy_wide_changes(old: Policy, new: Policy) -> Iterator[PolicyChange]:
    """Who is responsible and how to reach them (art. 13(1)(a)-(b), 13(2)(b)-(d))."""
    sections: tuple[tuple[ChangeKind, str, Impact], ...] = (
        (ChangeKind.CONTROLLER_CHANGED, "controller", Impact.INFORM),
        (ChangeKind.REPRESENTATIVE_CHANGED, "representative", Impact.INFORM),
        (ChangeKind.JOINT_CONTROLLERS_CHANGED, "joint_controllers", Impact.INFORM),
        (ChangeKind.DPO_CHANGED, "dpo", Impact.INFORM),
        (ChangeKind.SUPERVISORY_AUTHORITY_CHANGED, "supervisory_authority", Impact.INFORM),
        (ChangeKind.RIGHTS_CONTACT_CHANGED, "rights", Impact.INFORM),
        (ChangeKind.HOSTING_CHANGED, "hosting", Impact.INFORM),
        (ChangeKind.PROCESSOR_ROLE_CHANGED, "processor_role", Impact.INFORM),
        # Art. 30(1)(g): the register describes them; the notice need not (art. 13).
        (ChangeKind.SECURITY_MEASURES_CHANGED, "security_measures", Impact.NONE),
    )
    for kind, section, impact in sections:
        if _section(old, section) != _section(new, section):
            yield PolicyChange(kind, section, impact)


def _section(policy: Policy, name: str) -> str:
    return policy.model_dump_json(include={name})
