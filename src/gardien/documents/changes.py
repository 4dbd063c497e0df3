"""The kinds of policy change, what each obliges, and its sentence in French and English.

Message placeholders: ``{target}`` (the purpose title, cookie name, recipient id or section),
``{added}`` and ``{removed}`` (the ids concerned).
"""

from __future__ import annotations

from enum import StrEnum


class Impact(StrEnum):
    """What a change obliges the controller to do, from least to most."""

    NONE = "none"
    """Nothing towards people (wording, security details, a tracker removed)."""
    INFORM = "inform"
    """People must be told before it applies (GDPR art. 13(3), 14(4))."""
    RECONSENT = "reconsent"
    """Consents given under the old version no longer cover it: ask again (art. 7(1))."""

    @property
    def rank(self) -> int:
        return list(Impact).index(self)


class ChangeKind(StrEnum):
    PURPOSE_ADDED = "purpose_added"
    PURPOSE_REMOVED = "purpose_removed"
    PURPOSE_REWORDED = "purpose_reworded"
    CATEGORIES_ADDED = "categories_added"
    CATEGORIES_REMOVED = "categories_removed"
    SUBJECTS_ADDED = "subjects_added"
    SUBJECTS_REMOVED = "subjects_removed"
    SOURCES_ADDED = "sources_added"
    SOURCES_REMOVED = "sources_removed"
    RECIPIENTS_ADDED = "recipients_added"
    RECIPIENTS_REMOVED = "recipients_removed"
    LEGAL_BASIS_CHANGED = "legal_basis_changed"
    DIRECT_MARKETING_CHANGED = "direct_marketing_changed"
    RETENTION_CHANGED = "retention_changed"
    LEGAL_HOLDS_CHANGED = "legal_holds_changed"
    AUTOMATED_DECISION_CHANGED = "automated_decision_changed"
    CONSENT_TERMS_CHANGED = "consent_terms_changed"
    SOURCE_CHANGED = "source_changed"
    RECIPIENT_CHANGED = "recipient_changed"
    TRANSFER_ADDED = "transfer_added"
    TRANSFER_REMOVED = "transfer_removed"
    TRANSFER_CHANGED = "transfer_changed"
    COOKIE_ADDED = "cookie_added"
    COOKIE_REMOVED = "cookie_removed"
    COOKIE_CHANGED = "cookie_changed"
    CONTROLLER_CHANGED = "controller_changed"
    REPRESENTATIVE_CHANGED = "representative_changed"
    JOINT_CONTROLLERS_CHANGED = "joint_controllers_changed"
    DPO_CHANGED = "dpo_changed"
    SUPERVISORY_AUTHORITY_CHANGED = "supervisory_authority_changed"
    RIGHTS_CONTACT_CHANGED = "rights_contact_changed"
    HOSTING_CHANGED = "hosting_changed"
    PROCESSOR_ROLE_CHANGED = "processor_role_changed"
    SECURITY_MEASURES_CHANGED = "security_measures_changed"

    @property
    def is_about_a_purpose(self) -> bool:
        return self in _PURPOSE_KINDS

    @property
    def is_about_a_cookie(self) -> bool:
        return self in (
            ChangeKind.COOKIE_ADDED,
            ChangeKind.COOKIE_REMOVED,
            ChangeKind.COOKIE_CHANGED,
        )


_PURPOSE_KINDS = frozenset(
    {
        ChangeKind.PURPOSE_ADDED,
        ChangeKind.PURPOSE_REMOVED,
        ChangeKind.PURPOSE_REWORDED,
        ChangeKind.CATEGORIES_ADDED,
        ChangeKind.CATEGORIES_REMOVED,
        ChangeKind.SUBJECTS_ADDED,
        ChangeKind.SUBJECTS_REMOVED,
        ChangeKind.SOURCES_ADDED,
        ChangeKind.SOURCES_REMOVED,
        ChangeKind.RECIPIENTS_ADDED,
        ChangeKind.RECIPIENTS_REMOVED,
        ChangeKind.LEGAL_BASIS_CHANGED,
        ChangeKind.DIRECT_MARKETING_CHANGED,
        ChangeKind.RETENTION_CHANGED,
        ChangeKind.LEGAL_HOLDS_CHANGED,
        ChangeKind.AUTOMATED_DECISION_CHANGED,
        ChangeKind.CONSENT_TERMS_CHANGED,
    }
)


MESSAGES: dict[ChangeKind, tuple[str, str]] = {
    ChangeKind.PURPOSE_ADDED: (
        "Nouvelle finalité « {target} »",
        "New purpose \u201c{target}\u201d",
    ),
    ChangeKind.PURPOSE_REMOVED: (
        "Finalité supprimée « {target} »",
        "Purpose removed: \u201c{target}\u201d",
    ),
    ChangeKind.PURPOSE_REWORDED: (
        "Intitulé ou description modifié pour « {target} »",
        "Title or description reworded for \u201c{target}\u201d",
    ),
    ChangeKind.CATEGORIES_ADDED: (
        "« {target} » utilise de nouvelles catégories de données : {added}",
        "\u201c{target}\u201d uses new categories of data: {added}",
    ),
    ChangeKind.CATEGORIES_REMOVED: (
        "« {target} » n'utilise plus les catégories : {removed}",
        "\u201c{target}\u201d no longer uses the categories: {removed}",
    ),
    ChangeKind.SUBJECTS_ADDED: (
        "« {target} » concerne de nouvelles personnes : {added}",
        "\u201c{target}\u201d now concerns: {added}",
    ),
    ChangeKind.SUBJECTS_REMOVED: (
        "« {target} » ne concerne plus : {removed}",
        "\u201c{target}\u201d no longer concerns: {removed}",
    ),
    ChangeKind.SOURCES_ADDED: (
        "« {target} » reçoit des données de nouvelles sources : {added}",
        "\u201c{target}\u201d receives data from new sources: {added}",
    ),
    ChangeKind.SOURCES_REMOVED: (
        "« {target} » ne reçoit plus de données de : {removed}",
        "\u201c{target}\u201d no longer receives data from: {removed}",
    ),
    ChangeKind.RECIPIENTS_ADDED: (
        "« {target} » communique des données à de nouveaux destinataires : {added}",
        "\u201c{target}\u201d discloses data to new recipients: {added}",
    ),
    ChangeKind.RECIPIENTS_REMOVED: (
        "« {target} » ne communique plus de données à : {removed}",
        "\u201c{target}\u201d no longer discloses data to: {removed}",
    ),
    ChangeKind.LEGAL_BASIS_CHANGED: (
        "Le fondement légal de « {target} » change",
        "The lawful basis of \u201c{target}\u201d changes",
    ),
    ChangeKind.DIRECT_MARKETING_CHANGED: (
        "L'usage de « {target} » pour la prospection commerciale change",
        "Whether \u201c{target}\u201d is used for direct marketing changes",
    ),
    ChangeKind.RETENTION_CHANGED: (
        "La durée de conservation de « {target} » change",
        "The retention period of \u201c{target}\u201d changes",
    ),
    ChangeKind.LEGAL_HOLDS_CHANGED: (
        "Les conservations imposées par la loi pour « {target} » changent",
        "The legal holds of \u201c{target}\u201d change",
    ),
    ChangeKind.AUTOMATED_DECISION_CHANGED: (
        "La décision automatisée de « {target} » change",
        "The automated decision of \u201c{target}\u201d changes",
    ),
    ChangeKind.CONSENT_TERMS_CHANGED: (
        "Les modalités du consentement à « {target} » changent (retrait, durée de validité)",
        "The consent terms of \u201c{target}\u201d change (withdrawal, validity)",
    ),
    ChangeKind.SOURCE_CHANGED: (
        "La source {target} change de nature ou de tiers",
        "Source {target} changes kind or third party",
    ),
    ChangeKind.RECIPIENT_CHANGED: (
        "Le destinataire {target} change d'identité ou de rôle",
        "Recipient {target} changes name or role",
    ),
    ChangeKind.TRANSFER_ADDED: (
        "Nouveau transfert hors de l'EEE vers {target}",
        "New transfer outside the EEA to {target}",
    ),
    ChangeKind.TRANSFER_REMOVED: (
        "Fin du transfert hors de l'EEE vers {target}",
        "Transfer outside the EEA to {target} ends",
    ),
    ChangeKind.TRANSFER_CHANGED: (
        "Le pays ou la garantie du transfert vers {target} change",
        "The country or safeguard of the transfer to {target} changes",
    ),
    ChangeKind.COOKIE_ADDED: ("Nouveau traceur {target}", "New tracker {target}"),
    ChangeKind.COOKIE_REMOVED: ("Traceur retiré : {target}", "Tracker removed: {target}"),
    ChangeKind.COOKIE_CHANGED: ("Le traceur {target} change", "Tracker {target} changes"),
    ChangeKind.CONTROLLER_CHANGED: (
        "L'identité ou les coordonnées du responsable du traitement changent",
        "The controller's identity or contact details change",
    ),
    ChangeKind.REPRESENTATIVE_CHANGED: (
        "Le représentant dans l'Union change",
        "The representative in the Union changes",
    ),
    ChangeKind.JOINT_CONTROLLERS_CHANGED: (
        "Les responsables conjoints changent",
        "The joint controllers change",
    ),
    ChangeKind.DPO_CHANGED: (
        "Les coordonnées du délégué à la protection des données changent",
        "The data protection officer's contact details change",
    ),
    ChangeKind.SUPERVISORY_AUTHORITY_CHANGED: (
        "L'autorité de contrôle indiquée change",
        "The supervisory authority named changes",
    ),
    ChangeKind.RIGHTS_CONTACT_CHANGED: (
        "Les moyens d'exercer vos droits changent",
        "The ways to exercise rights change",
    ),
    ChangeKind.HOSTING_CHANGED: ("L'hébergement des données change", "Data hosting changes"),
    ChangeKind.PROCESSOR_ROLE_CHANGED: (
        "Le rôle de sous-traitant pour le compte des clients change",
        "The processor role on behalf of customers changes",
    ),
    ChangeKind.SECURITY_MEASURES_CHANGED: (
        "Les mesures de sécurité changent",
        "The security measures change",
    ),
}
