"""The words of the portal and the console, in French (the default) and English.

GDPR art. 12(1): information "in a concise, transparent, intelligible and easily accessible
form, using clear and plain language". One table, so that both languages always say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # layout
        "skip": ("Aller au contenu", "Skip to content"),
        "portal": ("Espace vie privée", "Privacy centre"),
        "console": ("Console du DPO", "DPO console"),
        "other_lang": ("English", "Français"),
        "other_lang_code": ("en", "fr"),
        "sign_out": ("Se déconnecter", "Sign out"),
        "back": ("Retour", "Back"),
        "powered": ("Propulsé par Gardien", "Powered by Gardien"),
        # sign-in
        "signin_title": ("Accéder à vos données", "Access your data"),
        "signin_intro": (
            "Saisissez votre adresse e-mail : nous vous envoyons un code à usage unique, "
            "valable dix minutes. Aucun mot de passe n'est nécessaire.",
            "Enter your e-mail address: we send you a one-time code, valid for ten minutes. "
            "No password is needed.",
        ),
        "email": ("Adresse e-mail", "E-mail address"),
        "send_code": ("Recevoir un code", "Send me a code"),
        "code_sent": (
            "Si cette adresse est valide, un code vient d'y être envoyé. Saisissez-le ci-dessous.",
            "If this address is valid, a code has just been sent to it. Type it below.",
        ),
        "code": ("Code reçu par e-mail (6 chiffres)", "Code received by e-mail (6 digits)"),
        "sign_in": ("Se connecter", "Sign in"),
        "code_refused": (
            "Ce code n'est pas accepté ({outcome}). Demandez-en un nouveau si besoin.",
            "This code is not accepted ({outcome}). Ask for a new one if needed.",
        ),
        "too_many_codes": (
            "Trop de codes demandés pour cette adresse. Réessayez dans quelques minutes.",
            "Too many codes asked for this address. Try again in a few minutes.",
        ),
        "invalid_email": ("Cette adresse e-mail n'est pas valide.", "This e-mail is not valid."),
        "other_address": ("Utiliser une autre adresse", "Use another address"),
        # dashboard
        "hello": ("Vos données chez {org}", "Your data at {org}"),
        "signed_in_as": ("Connecté·e avec : {who}", "Signed in as: {who}"),
        "held_title": (
            "Ce que nous faisons de vos données, et pourquoi",
            "What we do with your data, and why",
        ),
        "held_intro": (
            "Pour chaque finalité : les données utilisées, la base légale, la durée de "
            "conservation, et vos choix.",
            "For each purpose: the data used, the legal basis, how long it is kept, and your "
            "choices.",
        ),
        "data_used": ("Données utilisées", "Data used"),
        "legal_basis": ("Base légale", "Legal basis"),
        "retention": ("Conservation", "Retention"),
        "your_choice": ("Votre choix", "Your choice"),
        "consent_given": ("Consentement donné", "Consent given"),
        "consent_withdrawn": ("Consentement retiré", "Consent withdrawn"),
        "consent_refused": ("Consentement refusé", "Consent refused"),
        "consent_expired": ("Consentement expiré", "Consent expired"),
        "consent_none": ("Pas de consentement", "No consent"),
        "give": ("Donner mon consentement", "Give my consent"),
        "withdraw": ("Retirer mon consentement", "Withdraw my consent"),
        "objected": ("Vous vous y opposez", "You object to it"),
        "not_objected": ("Aucune opposition", "No objection"),
        "object": ("M'opposer à ce traitement", "Object to this processing"),
        "unobject": ("Retirer mon opposition", "Withdraw my objection"),
        "no_choice": (
            "Ce traitement ne repose ni sur votre consentement ni sur un intérêt légitime : "
            "vous pouvez toutefois exercer vos autres droits ci-dessous.",
            "This processing rests neither on your consent nor on a legitimate interest: you "
            "can still exercise your other rights below.",
        ),
        "restricted": (
            "Le traitement de vos données est limité : elles sont seulement conservées.",
            "Processing of your data is restricted: it is only stored.",
        ),
        "identifiers": ("Identifiants que nous connaissons", "Identifiers we know"),
        "saved": ("C'est enregistré.", "Saved."),
        # requests
        "requests_title": ("Vos demandes", "Your requests"),
        "no_requests": ("Vous n'avez fait aucune demande.", "You have made no request."),
        "request_ref": ("Référence", "Reference"),
        "request_type": ("Demande", "Request"),
        "request_status": ("État", "Status"),
        "received": ("Reçue le", "Received on"),
        "due": ("Réponse au plus tard le", "Answer due by"),
        "extended": ("Délai prolongé : {reason}", "Deadline extended: {reason}"),
        "download": ("Télécharger mes données", "Download my data"),
        "see": ("Voir", "View"),
        "new_request": ("Faire une demande", "Make a request"),
        "new_request_intro": (
            "Nous répondons dans un délai d'un mois, prolongeable de deux mois pour les "
            "demandes complexes (article 12 du RGPD).",
            "We answer within one month, extendable by two months for complex requests "
            "(GDPR article 12).",
        ),
        "type_access": (
            "Recevoir une copie de mes données (accès)",
            "Get a copy of my data (access)",
        ),
        "type_portability": (
            "Récupérer mes données dans un format réutilisable (portabilité)",
            "Get my data in a reusable format (portability)",
        ),
        "type_rectification": (
            "Corriger mes données (rectification)",
            "Correct my data (rectification)",
        ),
        "type_erasure": ("Effacer mes données (effacement)", "Erase my data (erasure)"),
        "type_objection": (
            "M'opposer à un traitement (opposition)",
            "Object to a processing (objection)",
        ),
        "type_restriction": (
            "Limiter le traitement (limitation)",
            "Restrict processing (restriction)",
        ),
        "details": ("Précisions (facultatif)", "Details (optional)"),
        "details_help": (
            "Pour une rectification, une ligne par donnée : champ = nouvelle valeur.",
            "For a rectification, one line per item: field = new value.",
        ),
        "send_request": ("Envoyer ma demande", "Send my request"),
        "request_sent": ("Votre demande {ref} est enregistrée.", "Your request {ref} is recorded."),
        "request_title": ("Demande {ref}", "Request {ref}"),
        "reason": ("Motif", "Reason"),
        # notice and complaint
        "notice_title": ("Notre politique de confidentialité", "Our privacy notice"),
        "notice_current": ("Lire la version en vigueur", "Read the current version"),
        "notice_versions": ("Versions précédentes", "Earlier versions"),
        "version": (
            "Version {version}, en vigueur depuis le {date}",
            "Version {version}, in force since {date}",
        ),
        "complain_title": ("Réclamation auprès de la CNIL", "Complaint to the CNIL"),
        "complain_text": (
            "Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une "
            "réclamation à l'autorité de contrôle (article 77 du RGPD) :",
            "If you believe your rights are not respected, you may lodge a complaint with the "
            "supervisory authority (GDPR article 77):",
        ),
        "dpo_contact": (
            "Contacter notre délégué à la protection des données",
            "Contact our data protection officer",
        ),
        # console
        "console_signin": ("Connexion à la console", "Console sign-in"),
        "console_signin_intro": (
            "Collez une clé d'API qui porte la portée « admin » "
            "(gardien keys create --scope admin).",
            "Paste an API key holding the 'admin' scope (gardien keys create --scope admin).",
        ),
        "api_key": ("Clé d'API", "API key"),
        "key_refused": (
            "Cette clé n'est pas acceptée ou n'a pas la portée admin.",
            "This key is not accepted or lacks the admin scope.",
        ),
        "requests_by_deadline": ("Demandes, par échéance", "Requests by deadline"),
        "overdue": ("En retard", "Overdue"),
        "include_closed": ("Afficher aussi les demandes closes", "Also show closed requests"),
        "show": ("Afficher", "Show"),
        "subject": ("Personne", "Person"),
        "channel": ("Canal", "Channel"),
        "actions": ("Actions", "Actions"),
        "verify": ("Confirmer l'identité", "Confirm identity"),
        "verify_how": ("Comment l'identité a été confirmée", "How the identity was confirmed"),
        "extend": ("Prolonger le délai", "Extend the deadline"),
        "months": ("Mois", "Months"),
        "run": ("Exécuter", "Run"),
        "dry_run": ("Simuler (sans rien changer)", "Dry run (change nothing)"),
        "complete": ("Clore comme traitée", "Close as completed"),
        "refuse": ("Refuser", "Refuse"),
        "note": ("Note", "Note"),
        "outcome": ("Résultat", "Outcome"),
        "package": ("Télécharger le paquet remis à la personne", "Download the person's package"),
        "erasure_report": (
            "Rapport d'effacement remis à la personne",
            "The erasure report for the person",
        ),
        "chart_title": (
            "Demandes par mois et délai de clôture",
            "Requests per month and time to close",
        ),
        "chart_requests": ("demandes reçues", "requests received"),
        "chart_days": ("jours en moyenne pour clore", "average days to close"),
        "register": ("Registre des traitements", "Record of processing"),
        "notice": ("Politique de confidentialité", "Privacy notice"),
        "audit": ("Journal d'audit", "Audit trail"),
        "audit_intact": (
            "Intact : {entries} entrées, tête {seq} ({hash}).",
            "Intact: {entries} entries, head {seq} ({hash}).",
        ),
        "audit_broken": ("Altéré à partir de l'entrée {seq}.", "Tampered with from entry {seq}."),
        "done": ("Fait.", "Done."),
    }
)


@cache
def words_for(lang: str) -> Mapping[str, str]:
    """Every word in one language (English when asked, French otherwise)."""
    index = 1 if lang == "en" else 0
    return MappingProxyType({key: pair[index] for key, pair in WORDS.items()})
