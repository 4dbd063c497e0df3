"""Closed sets of the GDPR, each with its article, DPV concept and French/English labels.

These enums are the words of the policy file. Their labels are what notices and registers show;
their DPV IRIs are what exports carry.
"""

from __future__ import annotations

from enum import StrEnum

from gardien.policy.taxonomy import DPV

EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"


class Lang(StrEnum):
    FR = "fr"
    EN = "en"


class LegalBasisKind(StrEnum):
    """GDPR art. 6(1)(a)–(f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"

    @property
    def article(self) -> str:
        letter = "abcdef"[list(LegalBasisKind).index(self)]
        return f"art. 6(1)({letter})"

    @property
    def dpv(self) -> str:
        letter = "abcdef"[list(LegalBasisKind).index(self)]
        return f"{EU_GDPR}A6-1-{letter}"

    def label(self, lang: str) -> str:
        return _BASIS_LABELS[self][1 if lang == "en" else 0]


_BASIS_LABELS = {
    LegalBasisKind.CONSENT: ("Consentement", "Consent"),
    LegalBasisKind.CONTRACT: ("Exécution d'un contrat", "Performance of a contract"),
    LegalBasisKind.LEGAL_OBLIGATION: ("Obligation légale", "Legal obligation"),
    LegalBasisKind.VITAL_INTERESTS: ("Intérêts vitaux", "Vital interests"),
    LegalBasisKind.PUBLIC_TASK: ("Mission d'intérêt public", "Public task"),
    LegalBasisKind.LEGITIMATE_INTERESTS: ("Intérêt légitime", "Legitimate interests"),
}


class SourceKind(StrEnum):
    """Where personal data comes from (GDPR art. 13 when from the person, art. 14 otherwise)."""

    DATA_SUBJECT = "data_subject"
    AUTOMATIC = "automatic"
    THIRD_PARTY = "third_party"

    def label(self, lang: str) -> str:
        return {
            SourceKind.DATA_SUBJECT: ("Fournies par vous", "Provided by you"),
            SourceKind.AUTOMATIC: ("Collectées automatiquement", "Collected automatically"),
            SourceKind.THIRD_PARTY: ("Reçues de tiers", "Received from third parties"),
        }[self][1 if lang == "en" else 0]


class RecipientKind(StrEnum):
    INTERNAL = "internal"
    PROCESSOR = "processor"
    PARTNER = "partner"
    AUTHORITY = "authority"
    THIRD_PARTY = "third_party"

    def label(self, lang: str) -> str:
        # The CNIL model register's list of recipient types, sheet 5.
        return {
            RecipientKind.INTERNAL: ("Service interne", "Internal department"),
            RecipientKind.PROCESSOR: ("Sous-traitant", "Processor"),
            RecipientKind.PARTNER: ("Partenaire commercial", "Business partner"),
            RecipientKind.AUTHORITY: ("Autorité publique", "Public authority"),
            RecipientKind.THIRD_PARTY: ("Tiers", "Third party"),
        }[self][1 if lang == "en" else 0]


class Safeguard(StrEnum):
    """GDPR arts. 45–49: what makes a transfer outside the EEA lawful."""

    ADEQUACY_DECISION = "adequacy_decision"
    STANDARD_CONTRACTUAL_CLAUSES = "standard_contractual_clauses"
    BINDING_CORPORATE_RULES = "binding_corporate_rules"
    CODE_OF_CONDUCT = "code_of_conduct"
    CERTIFICATION = "certification"
    DEROGATION_ART_49 = "derogation_art_49"

    def label(self, lang: str) -> str:
        return {
            Safeguard.ADEQUACY_DECISION: ("Pays adéquat (art. 45)", "Adequacy decision (art. 45)"),
            Safeguard.STANDARD_CONTRACTUAL_CLAUSES: (
                "Clauses contractuelles types (art. 46)",
                "Standard contractual clauses (art. 46)",
            ),
            Safeguard.BINDING_CORPORATE_RULES: (
                "Règles d'entreprise contraignantes (art. 47)",
                "Binding corporate rules (art. 47)",
            ),
            Safeguard.CODE_OF_CONDUCT: ("Code de conduite (art. 40)", "Code of conduct (art. 40)"),
            Safeguard.CERTIFICATION: ("Certification (art. 42)", "Certification (art. 42)"),
            Safeguard.DEROGATION_ART_49: ("Dérogation (art. 49)", "Derogation (art. 49)"),
        }[self][1 if lang == "en" else 0]


class RetentionEvent(StrEnum):
    """The event a retention period is counted from."""

    COLLECTION = "collection"
    LAST_CONTACT = "last_contact"
    LAST_ACTIVITY = "last_activity"
    END_OF_CONTRACT = "end_of_contract"
    END_OF_RELATIONSHIP = "end_of_relationship"
    END_OF_FINANCIAL_YEAR = "end_of_financial_year"
    TRANSACTION = "transaction"
    CONSENT = "consent"
    END_OF_PROCEEDINGS = "end_of_proceedings"

    def label(self, lang: str) -> str:
        return {
            RetentionEvent.COLLECTION: ("la collecte", "collection"),
            RetentionEvent.LAST_CONTACT: ("le dernier contact", "the last contact"),
            RetentionEvent.LAST_ACTIVITY: ("la dernière activité", "the last activity"),
            RetentionEvent.END_OF_CONTRACT: ("la fin du contrat", "the end of the contract"),
            RetentionEvent.END_OF_RELATIONSHIP: (
                "la fin de la relation commerciale",
                "the end of the business relationship",
            ),
            RetentionEvent.END_OF_FINANCIAL_YEAR: (
                "la clôture de l'exercice comptable",
                "the end of the financial year",
            ),
            RetentionEvent.TRANSACTION: ("la transaction", "the transaction"),
            RetentionEvent.CONSENT: ("le recueil du consentement", "consent being given"),
            RetentionEvent.END_OF_PROCEEDINGS: (
                "la fin de la procédure et des délais de recours",
                "the end of the proceedings and appeal periods",
            ),
        }[self][1 if lang == "en" else 0]


class RetentionAction(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"

    def label(self, lang: str) -> str:
        return {
            RetentionAction.DELETE: ("suppression", "deletion"),
            RetentionAction.ANONYMISE: ("anonymisation", "anonymisation"),
        }[self][1 if lang == "en" else 0]


class CookieCategory(StrEnum):
    STRICTLY_NECESSARY = "strictly_necessary"
    PREFERENCES = "preferences"
    AUDIENCE_MEASUREMENT = "audience_measurement"
    ADVERTISING = "advertising"
    SOCIAL_MEDIA = "social_media"

    @property
    def may_be_exempt(self) -> bool:
        """CNIL 2020: only strictly necessary trackers and limited audience measurement."""
        return self in (CookieCategory.STRICTLY_NECESSARY, CookieCategory.AUDIENCE_MEASUREMENT)

    def label(self, lang: str) -> str:
        return {
            CookieCategory.STRICTLY_NECESSARY: ("Strictement nécessaires", "Strictly necessary"),
            CookieCategory.PREFERENCES: ("Préférences", "Preferences"),
            CookieCategory.AUDIENCE_MEASUREMENT: ("Mesure d'audience", "Audience measurement"),
            CookieCategory.ADVERTISING: ("Publicité", "Advertising"),
            CookieCategory.SOCIAL_MEDIA: ("Réseaux sociaux", "Social media"),
        }[self][1 if lang == "en" else 0]


class Art9Condition(StrEnum):
    """GDPR art. 9(2)(a)–(j): the conditions that lift the ban on special categories."""

    EXPLICIT_CONSENT = "explicit_consent"
    EMPLOYMENT_SOCIAL_SECURITY = "employment_social_security"
    VITAL_INTERESTS = "vital_interests"
    NOT_FOR_PROFIT_BODY = "not_for_profit_body"
    MADE_PUBLIC_BY_SUBJECT = "made_public_by_subject"
    LEGAL_CLAIMS = "legal_claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"
    HEALTH_OR_SOCIAL_CARE = "health_or_social_care"
    PUBLIC_HEALTH = "public_health"
    ARCHIVING_RESEARCH_STATISTICS = "archiving_research_statistics"

    @property
    def article(self) -> str:
        letter = "abcdefghij"[list(Art9Condition).index(self)]
        return f"art. 9(2)({letter})"

    @property
    def dpv(self) -> str:
        letter = "abcdefghij"[list(Art9Condition).index(self)]
        return f"{EU_GDPR}A9-2-{letter}"


class SecurityMeasureKind(StrEnum):
    """The CNIL model register's list of security measures (sheet 5)."""

    TRACEABILITY = "traceability"
    SOFTWARE_PROTECTION = "software_protection"
    BACKUPS = "backups"
    ENCRYPTION = "encryption"
    ACCESS_CONTROL = "access_control"
    PROCESSOR_CONTROL = "processor_control"
    OTHER = "other"

    def label(self, lang: str) -> str:
        return {
            SecurityMeasureKind.TRACEABILITY: ("Mesures de traçabilité", "Traceability"),
            SecurityMeasureKind.SOFTWARE_PROTECTION: (
                "Mesures de protection des logiciels",
                "Software protection",
            ),
            SecurityMeasureKind.BACKUPS: ("Sauvegarde des données", "Data backups"),
            SecurityMeasureKind.ENCRYPTION: ("Chiffrement des données", "Data encryption"),
            SecurityMeasureKind.ACCESS_CONTROL: (
                "Contrôle d'accès des utilisateurs",
                "User access control",
            ),
            SecurityMeasureKind.PROCESSOR_CONTROL: (
                "Contrôle des sous-traitants",
                "Control of processors",
            ),
            SecurityMeasureKind.OTHER: ("Autres mesures", "Other measures"),
        }[self][1 if lang == "en" else 0]


# The EEA: EU member states plus Iceland, Liechtenstein and Norway (ISO 3166-1 alpha-2).
EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)

DIRECT_MARKETING_DPV = DPV + "DirectMarketing"
