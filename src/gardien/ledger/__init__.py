"""The ledger: people, identifiers, consents, objections, restrictions, and the decision.

Library use::

    ledger = Ledger.open(Settings(policy="policy.yaml"))
    ledger.give_consent("email:marie@example.fr", "newsletter", channel=Channel.WEB_FORM)
    if ledger.decide("email:marie@example.fr", "newsletter", ["contact.email"]).allowed: ...
"""

from gardien.ledger.decision import Decision, PolicyIndex, PurposeRule, decide, decide_many
from gardien.ledger.history import PolicyHistory, PurposeDiff, content_hash
from gardien.ledger.identifiers import (
    Identifier,
    IdentifierKind,
    InvalidIdentifierError,
    as_identifier,
    normalise,
    parse_subject,
)
from gardien.ledger.ledger import ConsentChange, Ledger, NotApplicableError, Subject
from gardien.ledger.protection import IdentifierVault
from gardien.ledger.reasons import ReasonCode
from gardien.ledger.records import (
    Channel,
    ConsentMethod,
    ConsentRecord,
    ConsentStatus,
    ObjectionRecord,
    ObjectionStatus,
    RestrictionGround,
    RestrictionRecord,
    RestrictionStatus,
    notice_hash,
)
from gardien.ledger.state import NOBODY, ConsentState, PersonState
from gardien.ledger.store import SubjectFile

__all__ = [
    "NOBODY",
    "Channel",
    "ConsentChange",
    "ConsentMethod",
    "ConsentRecord",
    "ConsentState",
    "ConsentStatus",
    "Decision",
    "Identifier",
    "IdentifierKind",
    "IdentifierVault",
    "InvalidIdentifierError",
    "Ledger",
    "NotApplicableError",
    "ObjectionRecord",
    "ObjectionStatus",
    "PersonState",
    "PolicyHistory",
    "PolicyIndex",
    "PurposeDiff",
    "PurposeRule",
    "ReasonCode",
    "RestrictionGround",
    "RestrictionRecord",
    "RestrictionStatus",
    "Subject",
    "SubjectFile",
    "as_identifier",
    "content_hash",
    "decide",
    "decide_many",
    "normalise",
    "notice_hash",
    "parse_subject",
]
