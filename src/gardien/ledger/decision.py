"""The decision "may purpose P use data C of person S?", as a pure function.

Allowed only if the purpose is declared, every category is within it, and one of its legal
bases holds for this person (GDPR art. 6(1)): a valid consent for a consent-based purpose
(art. 7), no objection for legitimate interests or a public task (art. 21(1)), no objection at
all for direct marketing (art. 21(3)); and the person is neither restricted (art. 18) nor
erased (art. 17). An unknown purpose or category is an error with a suggestion, never a silent
"no": it is a bug in the caller, and a silent denial would hide it.

Speed: :class:`PolicyIndex` is built once per policy version, so a warm decision is a dict
look-up, a frozenset inclusion and a few comparisons; an allowed decision is a prebuilt object
and reasons are rendered only when read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gardien.errors import UnknownReferenceError
from gardien.ledger.reasons import ReasonCode, render
from gardien.ledger.records import ConsentStatus
from gardien.ledger.state import PersonState
from gardien.policy.model import Policy
from gardien.policy.references import suggest
from gardien.policy.taxonomy import is_within
from gardien.policy.vocabulary import LegalBasisKind

_CONSENT = LegalBasisKind.CONSENT
_GIVEN = ConsentStatus.GIVEN
_OBJECTABLE = frozenset({LegalBasisKind.LEGITIMATE_INTERESTS, LegalBasisKind.PUBLIC_TASK})
"""Bases a person may object to (GDPR art. 21(1))."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer, the legal basis it rests on, and why (codes now, sentences on demand)."""

    allowed: bool
    purpose: str
    basis: LegalBasisKind | None
    """The basis that holds (allowed), or that would have applied (denied)."""
    codes: tuple[ReasonCode, ...]
    details: tuple[str, ...] = ()
    """The categories outside the purpose, when that is a reason."""
    direct_marketing: bool = False

    def reasons(self, lang: str = "fr") -> tuple[str, ...]:
        """Why, one sentence per code, in French (``fr``) or English (``en``)."""
        return tuple(
            render(
                code,
                lang,
                purpose=self.purpose,
                basis=self.basis,
                details=self.details,
                direct_marketing=self.direct_marketing,
            )
            for code in self.codes
        )

    @property
    def reasons_fr(self) -> tuple[str, ...]:
        return self.reasons("fr")

    @property
    def reasons_en(self) -> tuple[str, ...]:
        return self.reasons("en")


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """One purpose, precomputed for deciding."""

    id: str
    categories: frozenset[str]
    """Every category id the purpose may use, descendants included."""
    bases: tuple[LegalBasisKind, ...]
    """The bases to try, in the order the policy lists them."""
    direct_marketing: bool
    reconsent_since: int
    """A consent recorded under an earlier policy ordinal than this is no longer valid."""
    allowed: Mapping[LegalBasisKind, Decision]


@dataclass(frozen=True)
class PolicyIndex:
    """A policy version compiled for the decision."""

    version: str
    ordinal: int
    rules: Mapping[str, PurposeRule]
    categories: frozenset[str]
    """Every category id the policy can name."""
    denials: dict[tuple[object, ...], Decision] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Recent denials, shared like the allowed decisions (see ``_explain``)."""

    @classmethod
    def build(
        cls,
        policy: Policy,
        *,
        ordinal: int = 0,
        reconsent_since: Mapping[str, int] | None = None,
    ) -> PolicyIndex:
        """Compile ``policy``; ``reconsent_since`` comes from the ledger's policy history."""
        known = frozenset(policy.taxonomy)
        since = reconsent_since or {}
        rules = {}
        for purpose in policy.purposes:
            declared = policy.purpose_categories(purpose)
            allowed_categories = frozenset(
                c for c in known if any(is_within(c, d) for d in declared)
            ) | frozenset(declared)
            # A purpose that needs consent rests on consent alone, whatever else it lists.
            bases = (_CONSENT,) if purpose.needs_consent else purpose.bases()
            allowed = MappingProxyType(
                {b: Decision(True, purpose.id, b, (ReasonCode.BASIS_HOLDS,)) for b in bases}
            )
            rules[purpose.id] = PurposeRule(
                id=purpose.id,
                categories=allowed_categories,
                bases=bases,
                direct_marketing=purpose.direct_marketing,
                reconsent_since=since.get(purpose.id, 0),
                allowed=allowed,
            )
        return cls(
            policy.version,
            ordinal,
            MappingProxyType(rules),
            known | frozenset(c for r in rules.values() for c in r.categories),
        )

    def rule(self, purpose: str) -> PurposeRule:
        found = self.rules.get(purpose)
        if found is None:
            raise UnknownReferenceError("purpose", purpose, _bare(suggest(purpose, self.rules)))
        return found

    def check_categories(self, categories: Iterable[str]) -> None:
        for category in categories:
            if category not in self.categories:
                raise UnknownReferenceError(
                    "data category", category, _bare(suggest(category, self.categories))
                )


def _bare(suggestion: str | None) -> str | None:
    return suggestion.strip("`") if suggestion else None


def decide(
    index: PolicyIndex,
    state: PersonState,
    purpose: str,
    categories: Iterable[str],
    now: float | None = None,
) -> Decision:
    """May ``purpose`` use ``categories`` of this person? ``now`` is POSIX seconds."""
    rule = index.rules.get(purpose)
    if rule is None:
        raise UnknownReferenceError("purpose", purpose, _bare(suggest(purpose, index.rules)))
    cats = categories if type(categories) is frozenset else frozenset(categories)
    if (
        cats <= rule.categories
        and not state.erased
        and not state.restricted
        and not (rule.direct_marketing and purpose in state.objections)
    ):
        for basis in rule.bases:
            if basis is _CONSENT:
                consent = state.consents.get(purpose)
                if (
                    consent is not None
                    and consent.status is _GIVEN
                    and consent.policy_ordinal >= rule.reconsent_since
                    and consent.expires > (time.time() if now is None else now)
                ):
                    return rule.allowed[basis]
            elif basis not in _OBJECTABLE or purpose not in state.objections:
                return rule.allowed[basis]
    return _explain(index, rule, state, cats, time.time() if now is None else now)


def decide_many(
    index: PolicyIndex,
    questions: Iterable[tuple[PersonState, str, Iterable[str]]],
    now: float | None = None,
) -> list[Decision]:
    """Decide a batch at one instant; raises on the first unknown purpose or category."""
    at = time.time() if now is None else now
    return [decide(index, state, purpose, cats, at) for state, purpose, cats in questions]


_DENIALS_KEPT = 4096


def _explain(
    index: PolicyIndex,
    rule: PurposeRule,
    state: PersonState,
    categories: frozenset[str],
    now: float,
) -> Decision:
    """The slow path: every reason for a denial (or, rarely, the allowed decision).

    Denials are values too: the same purpose, codes and categories give an equal decision, so
    the last few thousand are kept and shared.
    """
    outside: tuple[str, ...] = ()
    if not categories <= rule.categories:
        index.check_categories(sorted(categories - rule.categories))
        outside = tuple(sorted(categories - rule.categories))
    codes: list[ReasonCode] = []
    if state.erased:
        codes.append(ReasonCode.ERASED)
    if state.restricted:
        codes.append(ReasonCode.RESTRICTED)
    if outside:
        codes.append(ReasonCode.CATEGORY_OUTSIDE_PURPOSE)
    used: LegalBasisKind | None = None
    failures: list[ReasonCode] = []
    if rule.direct_marketing and rule.id in state.objections:
        failures.append(ReasonCode.OBJECTION)  # art. 21(3): whatever the basis
    else:
        for basis in rule.bases:
            failure = _basis_failure(rule, basis, state, now)
            if failure is None:
                used = basis
                break
            failures.append(failure)
    if not rule.bases:
        codes.append(ReasonCode.NO_LEGAL_BASIS)
    elif used is None:
        used = rule.bases[0]
        codes.extend(dict.fromkeys(failures))
    if not codes and used is not None:
        return rule.allowed[used]
    key = (rule.id, used, tuple(codes), outside)
    denied = index.denials.get(key)
    if denied is None:
        if len(index.denials) >= _DENIALS_KEPT:
            index.denials.clear()
        denied = Decision(False, rule.id, used, key[2], outside, rule.direct_marketing)
        index.denials[key] = denied
    return denied


def _basis_failure(
    rule: PurposeRule, basis: LegalBasisKind, state: PersonState, now: float
) -> ReasonCode | None:
    if basis is _CONSENT:
        consent = state.consents.get(rule.id)
        if consent is None:
            return ReasonCode.NO_CONSENT
        if consent.status is ConsentStatus.REFUSED:
            return ReasonCode.CONSENT_REFUSED
        if consent.status is ConsentStatus.WITHDRAWN:
            return ReasonCode.CONSENT_WITHDRAWN
        if consent.status is ConsentStatus.EXPIRED or consent.expires <= now:
            return ReasonCode.CONSENT_EXPIRED
        if consent.policy_ordinal < rule.reconsent_since:
            return ReasonCode.CONSENT_OUTDATED
        return None
    if basis in _OBJECTABLE and rule.id in state.objections:
        return ReasonCode.OBJECTION
    return None
