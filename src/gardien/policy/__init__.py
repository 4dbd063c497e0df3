"""The policy file: model, loading, validation, lint and the built-in taxonomy."""

from gardien.policy.durations import Duration
from gardien.policy.loader import load_policy, load_policy_document, parse_policy
from gardien.policy.model import (
    Cookie,
    DataCategory,
    LegalBasis,
    LegalHold,
    Policy,
    Purpose,
    Recipient,
    RetentionRule,
    Text,
)
from gardien.policy.taxonomy import BUILTIN_CATEGORIES, TaxonomyCategory, covered_by, is_within
from gardien.policy.vocabulary import (
    CookieCategory,
    Lang,
    LegalBasisKind,
    RecipientKind,
    RetentionAction,
    RetentionEvent,
    SourceKind,
)

__all__ = [
    "BUILTIN_CATEGORIES",
    "Cookie",
    "CookieCategory",
    "DataCategory",
    "Duration",
    "Lang",
    "LegalBasis",
    "LegalBasisKind",
    "LegalHold",
    "Policy",
    "Purpose",
    "Recipient",
    "RecipientKind",
    "RetentionAction",
    "RetentionEvent",
    "RetentionRule",
    "SourceKind",
    "TaxonomyCategory",
    "Text",
    "covered_by",
    "is_within",
    "load_policy",
    "load_policy_document",
    "parse_policy",
]
