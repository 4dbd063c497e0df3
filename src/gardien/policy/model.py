"""The policy file, format version 1, as typed values.

One :class:`Policy` is the single source of truth: the notice, the art. 30 register and the
cookie banner are generated from it, and the ledger enforces it. Structural rules live here
(types, required fields); rules that relate one part of the file to another (references,
duplicate ids) live in :mod:`gardien.policy.references`, and compliance advice in
:mod:`gardien.policy.lint`.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from gardien.policy.durations import IsoDuration
from gardien.policy.taxonomy import BUILTIN_BY_ID, TaxonomyCategory
from gardien.policy.vocabulary import (
    EEA_COUNTRIES,
    Art9Condition,
    CookieCategory,
    LegalBasisKind,
    RecipientKind,
    RetentionAction,
    RetentionEvent,
    Safeguard,
    SecurityMeasureKind,
    SourceKind,
)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
CategoryId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=128)
]
Country = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 country code, e.g. FR, US"),
]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
RuleCode = Annotated[str, StringConstraints(pattern=r"^GDN\d{3}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Model):
    """A text shown to people: French (the default) and English."""

    fr: NonEmpty
    en: NonEmpty | None = None

    def in_(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.fr


class LintSilence(_Model):
    """Silences one lint rule on one item, with the written reason a DPO stands behind."""

    rule: RuleCode
    justification: Annotated[str, StringConstraints(min_length=10, strip_whitespace=True)]


class _Silenceable(_Model):
    lint_ignore: list[LintSilence] = Field(default_factory=list)

    def silences(self, code: str) -> LintSilence | None:
        return next((s for s in self.lint_ignore if s.rule == code), None)


class Address(_Model):
    street: NonEmpty
    postal_code: str | None = None
    city: NonEmpty
    country: Country = "FR"

    def one_line(self) -> str:
        city = f"{self.postal_code} {self.city}" if self.postal_code else self.city
        return f"{self.street}, {city}, {self.country}"


class Controller(_Model):
    """GDPR art. 4(7) and 13(1)(a): who decides the purposes and means."""

    name: NonEmpty
    address: Address
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    registration: str | None = Field(default=None, description="e.g. RCS or SIREN number")


class Party(_Model):
    name: NonEmpty
    address: Address | None = None
    email: str | None = None
    phone: str | None = None


class Dpo(_Model):
    """GDPR arts. 37–39, 13(1)(b): the data protection officer's contact."""

    name: str | None = None
    email: str | None = None
    address: Address | None = None
    phone: str | None = None
    company: str | None = Field(default=None, description="If the DPO is external")


class SupervisoryAuthority(_Model):
    """GDPR art. 77, 13(2)(d): where a person may complain."""

    name: NonEmpty = "Commission Nationale de l'Informatique et des Libertés (CNIL)"
    address: Address = Address(
        street="3 Place de Fontenoy, TSA 80715",
        postal_code="75334",
        city="Paris Cedex 07",
        country="FR",
    )
    website: str = "https://www.cnil.fr/fr/plaintes"


class Hosting(_Model):
    provider: str | None = None
    country: Country
    description: Text | None = None


class ProcessorRole(_Model):
    """Seed 000: the organisation also processes its customers' users' data on their behalf.

    That data is out of this notice's purposes (GDPR art. 28): the customer is its controller.
    """

    description: Text
    customers_are_controllers: bool = True


class PolicyChange(_Model):
    version: NonEmpty
    date: date
    summary: Text


class DataSubjectGroup(_Model):
    id: Id
    label: Text
    description: Text | None = None


class Source(_Model):
    """Where data comes from: the person, automatic collection, or a named third party."""

    id: Id
    kind: SourceKind
    label: Text
    third_party: str | None = Field(default=None, description="Who, when kind is third_party")

    @model_validator(mode="after")
    def _named_third_party(self) -> Source:
        if self.kind is SourceKind.THIRD_PARTY and not self.third_party:
            raise ValueError("a third-party source must name the third party (`third_party`)")
        return self


class DataCategory(_Silenceable):
    """A category the organisation holds: a built-in id, or one of its own (with labels)."""

    id: CategoryId
    label: Text | None = None
    description: Text | None = None
    dpv: str | None = None
    special: bool | None = None
    sources: list[Id] = Field(default_factory=list)


class Recipient(_Silenceable):
    """GDPR art. 13(1)(e)-(f), 30(1)(d)-(e): who receives the data, and where."""

    id: Id
    name: NonEmpty
    kind: RecipientKind
    country: Country
    description: Text | None = None
    safeguard: Safeguard | None = None
    safeguard_reference: str | None = Field(default=None, description="Link to the safeguard")

    @property
    def country_stated(self) -> bool:
        """``ZZ`` (ISO 3166 "unknown") records that the policy does not say where."""
        return self.country != "ZZ"

    @property
    def outside_eea(self) -> bool:
        return self.country not in EEA_COUNTRIES


class RetentionRule(_Model):
    """How long data is kept, counted from an event, and what happens then."""

    id: Id
    duration: IsoDuration | None = None
    from_: RetentionEvent = Field(alias="from")
    action: RetentionAction = RetentionAction.DELETE
    description: Text | None = None

    @model_validator(mode="after")
    def _duration_or_criteria(self) -> RetentionRule:
        if self.duration is None and self.description is None:
            raise ValueError(
                "a retention rule needs a `duration` or, when the law gives only criteria, "
                "a `description` of them (GDPR art. 13(2)(a))"
            )
        return self


class LegalHold(_Model):
    """Data that outlives an erasure because a law requires it (GDPR art. 17(3)(b), (e))."""

    id: Id
    title: Text
    duration: IsoDuration
    from_: RetentionEvent = Field(alias="from")
    law: NonEmpty = Field(description="The provision, e.g. 'Code de commerce L123-22'")
    categories: list[CategoryId] = Field(min_length=1)


class LegalBasis(_Model):
    basis: LegalBasisKind
    interest: Text | None = Field(
        default=None, description="The legitimate interest itself (art. 13(1)(d))"
    )
    law: str | None = Field(default=None, description="The legal obligation's source")
    note: Text | None = None


class ConsentTerms(_Model):
    """How consent is asked and withdrawn (GDPR art. 7)."""

    withdrawal: Text | None = Field(
        default=None, description="How to withdraw, as easy as giving (art. 7(3))"
    )
    validity: IsoDuration | None = Field(
        default=None, description="How long a consent stays valid before asking again"
    )


class AutomatedDecision(_Model):
    """GDPR art. 22, 13(2)(f): logic involved, significance and consequences."""

    logic: Text
    significance: Text


class Purpose(_Silenceable):
    """A purpose (finalité) and everything the law asks to say about it."""

    id: Id
    title: Text
    description: Text | None = None
    categories: list[CategoryId] | Literal["all"] = Field(
        description="Categories used, or 'all' for 'any relevant category' (legal claims)"
    )
    subjects: list[Id] = Field(default_factory=list)
    sources: list[Id] = Field(default_factory=list)
    legal_bases: list[LegalBasis] = Field(
        default_factory=list,
        description="Art. 6(1) bases; empty when the policy states none (lint GDN113)",
    )
    recipients: list[Id] = Field(default_factory=list)
    retention: Id | None = None
    legal_holds: list[Id] = Field(default_factory=list)
    direct_marketing: bool = False
    consent: ConsentTerms | None = None
    objection: Text | None = Field(default=None, description="How to object (art. 21)")
    automated_decision: AutomatedDecision | None = None
    special_category_condition: Art9Condition | None = None
    dpv: str | None = None

    def bases(self) -> tuple[LegalBasisKind, ...]:
        return tuple(b.basis for b in self.legal_bases)

    @property
    def needs_consent(self) -> bool:
        """Consent is the basis when it is the only one claimed (art. 6(1)(a))."""
        return self.bases() == (LegalBasisKind.CONSENT,) or (
            LegalBasisKind.CONSENT in self.bases() and self.direct_marketing
        )


class Cookie(_Silenceable):
    """A cookie or tracker (ePrivacy art. 5(3), CNIL guidelines 2020)."""

    name: NonEmpty
    provider: NonEmpty
    category: CookieCategory
    purpose: Id | None = None
    lifetime: IsoDuration | Literal["session"]
    exempt: bool = False
    description: Text | None = None


class SecurityMeasure(_Model):
    kind: SecurityMeasureKind
    description: Text


class RightsContact(_Model):
    """Where people exercise their rights (arts. 12–22)."""

    email: str | None = None
    postal_address: Address | None = None
    web_form: str | None = None
    portal: str | None = None


class Policy(_Silenceable):
    """A whole policy file (top-level `lint_ignore` silences policy-wide rules)."""

    gardien: Literal[1] = Field(description="Policy format version")
    version: NonEmpty
    effective_date: date
    changelog: list[PolicyChange] = Field(default_factory=list)
    controller: Controller
    representative: Party | None = None
    joint_controllers: list[Party] = Field(default_factory=list)
    dpo: Dpo | None = None
    supervisory_authority: SupervisoryAuthority = SupervisoryAuthority()
    hosting: list[Hosting] = Field(default_factory=list)
    processor_role: ProcessorRole | None = None
    data_subjects: list[DataSubjectGroup] = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list)
    categories: list[DataCategory] = Field(min_length=1)
    recipients: list[Recipient] = Field(default_factory=list)
    retention: list[RetentionRule] = Field(default_factory=list)
    legal_holds: list[LegalHold] = Field(default_factory=list)
    purposes: list[Purpose] = Field(min_length=1)
    cookies: list[Cookie] = Field(default_factory=list)
    rights: RightsContact = RightsContact()
    security_measures: list[SecurityMeasure] = Field(default_factory=list)

    # Look-ups by id, built once; the decision path uses them on every call.
    @cached_property
    def purpose_by_id(self) -> dict[str, Purpose]:
        return {p.id: p for p in self.purposes}

    @cached_property
    def recipient_by_id(self) -> dict[str, Recipient]:
        return {r.id: r for r in self.recipients}

    @cached_property
    def retention_by_id(self) -> dict[str, RetentionRule]:
        return {r.id: r for r in self.retention}

    @cached_property
    def hold_by_id(self) -> dict[str, LegalHold]:
        return {h.id: h for h in self.legal_holds}

    @cached_property
    def subject_by_id(self) -> dict[str, DataSubjectGroup]:
        return {s.id: s for s in self.data_subjects}

    @cached_property
    def source_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    @cached_property
    def taxonomy(self) -> dict[str, TaxonomyCategory]:
        """Every category id this policy can name: built-ins plus its own."""
        merged = dict(BUILTIN_BY_ID)
        for c in self.categories:
            if c.id in merged and c.label is None:
                continue
            base = merged.get(c.id)
            parent = merged.get(c.id.rsplit(".", 1)[0]) if "." in c.id else None
            label = c.label
            merged[c.id] = TaxonomyCategory(
                id=c.id,
                fr=label.fr if label else (base.fr if base else c.id),
                en=label.in_("en") if label else (base.en if base else c.id),
                dpv=c.dpv or (base.dpv if base else (parent.dpv if parent else "")),
                special=bool(
                    c.special
                    if c.special is not None
                    else (base.special if base else (parent.special if parent else False))
                ),
            )
        return merged

    def purpose_categories(self, purpose: Purpose) -> list[str]:
        """The category ids a purpose may use ('all' expands to every declared category)."""
        if purpose.categories == "all":
            return [c.id for c in self.categories]
        return list(purpose.categories)

    def category_label(self, category_id: str, lang: str) -> str:
        found = self.taxonomy.get(category_id)
        return found.label(lang) if found else category_id
