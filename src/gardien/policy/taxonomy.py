"""The built-in taxonomy of personal-data categories.

Ids are stable dotted keys: a rule that names a parent (``contact``) covers its children
(``contact.email``). Each category maps to a W3C Data Privacy Vocabulary concept (DPV 2.3,
personal-data extension ``https://w3id.org/dpv/pd#``) so that exports are interoperable. The
nine top-level categories of seed 001 come first, with the French labels that seed uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DPV = "https://w3id.org/dpv#"
PD = "https://w3id.org/dpv/pd#"


@dataclass(frozen=True)
class TaxonomyCategory:
    """One category of personal data: id, labels in French and English, DPV concept."""

    id: str
    fr: str
    en: str
    dpv: str
    special: bool = False
    """GDPR art. 9(1) special category, or art. 10 criminal data: needs an art. 9 condition."""
    description_fr: str = ""
    description_en: str = ""

    @property
    def parent(self) -> str | None:
        return self.id.rsplit(".", 1)[0] if "." in self.id else None

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


def _c(
    id_: str, fr: str, en: str, dpv: str, *, special: bool = False, dfr: str = "", den: str = ""
) -> TaxonomyCategory:
    return TaxonomyCategory(id_, fr, en, dpv, special, dfr, den)


BUILTIN_CATEGORIES: tuple[TaxonomyCategory, ...] = (
    # The nine categories of seed 001.
    _c(
        "identity",
        "Identité",
        "Identity",
        PD + "Identifying",
        dfr="nom, prénom, nom d'utilisateur, titre, date de naissance",
        den="name, username, title, date of birth",
    ),
    _c("identity.name", "Nom et prénom", "Name", PD + "Name"),
    _c("identity.username", "Identifiant de compte", "Username", PD + "Username"),
    _c("identity.birth_date", "Date de naissance", "Date of birth", PD + "BirthDate"),
    _c(
        "identity.official_id",
        "Pièce d'identité",
        "Identity document",
        PD + "OfficialID",
        dfr="copie de carte d'identité, passeport, permis de conduire",
        den="copy of an identity card, passport or driving licence",
    ),
    _c("identity.customer_id", "Numéro de client", "Customer number", PD + "Identifier"),
    _c(
        "contact",
        "Contact",
        "Contact",
        PD + "Contact",
        dfr="adresse postale, adresse e-mail, numéro de téléphone",
        den="postal address, email address, telephone number",
    ),
    _c("contact.email", "Adresse e-mail", "Email address", PD + "EmailAddress"),
    _c("contact.phone", "Numéro de téléphone", "Telephone number", PD + "TelephoneNumber"),
    _c("contact.postal_address", "Adresse postale", "Postal address", PD + "PhysicalAddress"),
    _c(
        "financial",
        "Financières",
        "Financial",
        PD + "Financial",
        dfr="coordonnées bancaires et de carte de paiement",
        den="bank account and payment card details",
    ),
    _c("financial.bank_account", "Coordonnées bancaires", "Bank account", PD + "BankAccount"),
    _c(
        "financial.payment_card",
        "Données de carte de paiement",
        "Payment card data",
        PD + "PaymentCard",
    ),
    _c(
        "transaction",
        "Transaction",
        "Transaction",
        PD + "Transactional",
        dfr="paiements reçus et effectués, produits et services achetés",
        den="payments made and received, products and services purchased",
    ),
    _c("transaction.purchase", "Achats", "Purchases", PD + "Purchase"),
    _c("transaction.invoice", "Factures", "Invoices", PD + "Transaction"),
    _c(
        "profile",
        "Profil",
        "Profile",
        PD + "Profile",
        dfr="identifiant et mot de passe, achats, préférences, avis, réponses aux sondages",
        den="username and password, purchases, preferences, feedback, survey responses",
    ),
    _c("profile.preference", "Préférences", "Preferences", PD + "Preference"),
    _c(
        "profile.opinion",
        "Avis et réponses aux sondages",
        "Feedback and survey answers",
        PD + "Opinion",
    ),
    _c("profile.password", "Mot de passe", "Password", PD + "Password"),
    _c(
        "usage",
        "Utilisation",
        "Usage",
        PD + "ServiceConsumptionBehaviour",
        dfr="comment le site, les produits et services sont utilisés",
        den="how the website, products and services are used",
    ),
    _c(
        "marketing_communications",
        "Marketing et communication",
        "Marketing and communications",
        PD + "PrivacyPreference",
        dfr="préférences de réception de marketing et de communication",
        den="preferences for receiving marketing and communications",
    ),
    _c(
        "technical",
        "Technique",
        "Technical",
        PD + "DeviceBased",
        dfr="adresse IP, navigateur, système d'exploitation, appareil",
        den="IP address, browser, operating system, device",
    ),
    _c("technical.ip_address", "Adresse IP", "IP address", PD + "IPAddress"),
    _c("technical.device_id", "Identifiant d'appareil", "Device identifier", PD + "UID"),
    _c("technical.user_agent", "Navigateur et système", "Browser and system", PD + "UserAgent"),
    _c("technical.logs", "Journaux de connexion", "Connection logs", PD + "Connection"),
    _c(
        "tracking",
        "Suivi",
        "Tracking",
        PD + "Tracking",
        dfr="cookies, traceurs, parcours de navigation",
        den="cookies, trackers, browsing path",
    ),
    _c("tracking.cookie_id", "Identifiant de cookie", "Cookie identifier", PD + "Identifier"),
    _c("tracking.browsing", "Navigation", "Browsing behaviour", PD + "BrowsingBehaviour"),
    _c("location", "Localisation", "Location", PD + "Location"),
    _c(
        "communications",
        "Communications",
        "Communications",
        PD + "Communication",
        dfr="messages envoyés au support",
        den="messages sent to support",
    ),
    _c("social_media", "Réseaux sociaux", "Social media", PD + "SocialMedia"),
    _c("professional", "Vie professionnelle", "Professional life", PD + "Professional"),
    # GDPR art. 9(1) special categories, and art. 10 criminal data.
    _c(
        "special",
        "Données sensibles",
        "Special categories",
        DPV + "SpecialCategoryPersonalData",
        special=True,
    ),
    _c(
        "special.racial_ethnic_origin",
        "Origine raciale ou ethnique",
        "Racial or ethnic origin",
        PD + "EthnicOrigin",
        special=True,
    ),
    _c(
        "special.political_opinions",
        "Opinions politiques",
        "Political opinions",
        PD + "PoliticalOpinion",
        special=True,
    ),
    _c(
        "special.religious_beliefs",
        "Convictions religieuses ou philosophiques",
        "Religious or philosophical beliefs",
        PD + "Religion",
        special=True,
    ),
    _c(
        "special.trade_union",
        "Appartenance syndicale",
        "Trade union membership",
        PD + "TradeUnionMembership",
        special=True,
    ),
    _c("special.genetic", "Données génétiques", "Genetic data", PD + "Genetic", special=True),
    _c(
        "special.biometric",
        "Données biométriques",
        "Biometric data",
        PD + "Biometric",
        special=True,
    ),
    _c("special.health", "Données de santé", "Health data", PD + "Health", special=True),
    _c(
        "special.sex_life",
        "Vie sexuelle ou orientation sexuelle",
        "Sex life or sexual orientation",
        PD + "Sexual",
        special=True,
    ),
    _c(
        "special.criminal",
        "Condamnations pénales et infractions",
        "Criminal convictions and offences",
        PD + "Criminal",
        special=True,
    ),
)

BUILTIN_BY_ID: dict[str, TaxonomyCategory] = {c.id: c for c in BUILTIN_CATEGORIES}


def is_within(child: str, ancestor: str) -> bool:
    """``contact.email`` is within ``contact``; every id is within itself."""
    return child == ancestor or child.startswith(ancestor + ".")


def overlaps(a: str, b: str) -> bool:
    """Two ids overlap when one is within the other."""
    return is_within(a, b) or is_within(b, a)


def covered_by(category: str, allowed: Iterable[str]) -> bool:
    """Whether a category is covered by any of ``allowed`` (itself or an ancestor)."""
    return any(is_within(category, a) for a in allowed)
