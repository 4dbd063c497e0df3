"""Every fixed sentence of the generated documents, in French and in English.

One table, so that a translator sees both languages side by side and a test can check that no
sentence of one language leaks into a document written in the other. Placeholders use
``str.format`` syntax; the values are filled in by :func:`text`.
"""

from __future__ import annotations

from gardien.documents.language import Language
from gardien.policy.vocabulary import Art9Condition

# key -> (French, English)
STRINGS: dict[str, tuple[str, str]] = {
    # Title and introduction (GDPR arts. 12-14).
    "notice_title": ("Politique de confidentialité", "Privacy notice"),
    "notice_intro": (
        "Cette politique vous informe, conformément aux articles 13 et 14 du règlement général "
        "sur la protection des données (RGPD), de la manière dont {controller} traite vos "
        "données personnelles et des droits dont vous disposez.",
        "This notice tells you, as Articles 13 and 14 of the General Data Protection "
        "Regulation (GDPR) require, how {controller} processes your personal data and which "
        "rights you have.",
    ),
    "version_line": (
        "Version {version}, en vigueur depuis le {date}.",
        "Version {version}, in effect since {date}.",
    ),
    "contents": ("Sommaire", "Contents"),
    # Controller (art. 13(1)(a)-(b)).
    "h_controller": ("Qui est responsable de vos données ?", "Who is responsible for your data?"),
    "controller_intro": (
        "Le responsable du traitement de vos données est :",
        "The controller of your data is:",
    ),
    "registration": ("Immatriculation", "Registration"),
    "address": ("Adresse", "Address"),
    "email": ("E-mail", "Email"),
    "phone": ("Téléphone", "Telephone"),
    "website": ("Site web", "Website"),
    "representative": (
        "Représentant dans l'Union européenne (art. 27 RGPD)",
        "Representative in the European Union (GDPR Art. 27)",
    ),
    "joint_controllers": (
        "Responsables conjoints du traitement (art. 26 RGPD)",
        "Joint controllers (GDPR Art. 26)",
    ),
    "h_dpo": ("Délégué à la protection des données", "Data protection officer"),
    "dpo_intro": (
        "Vous pouvez joindre notre délégué à la protection des données (DPO) pour toute "
        "question sur vos données :",
        "You can reach our data protection officer (DPO) with any question about your data:",
    ),
    "dpo_company": ("Société (DPO externe)", "Company (external DPO)"),
    # Purposes (art. 13(1)(c)-(d)).
    "h_purposes": (
        "Pourquoi utilisons-nous vos données, et sur quel fondement ?",
        "Why we use your data, and on what lawful basis",
    ),
    "purposes_intro": (
        "Nous n'utilisons vos données que pour les finalités ci-dessous, chacune sur le "
        "fondement légal indiqué (art. 6 RGPD).",
        "We use your data only for the purposes below, each on the lawful basis shown "
        "(GDPR Art. 6).",
    ),
    "col_purpose": ("But / Activité", "Purpose / Activity"),
    "col_data": ("Type de données", "Type of data"),
    "col_basis": ("Fondement légal pour le traitement", "Lawful basis"),
    "all_categories": (
        "Toute catégorie de données pertinente",
        "Any relevant category of data",
    ),
    "basis_unstated": ("Non indiqué dans la politique", "Not stated in the policy"),
    "consent_withdraw_default": (
        "vous pouvez retirer votre consentement à tout moment, aussi simplement que vous "
        "l'avez donné",
        "you may withdraw your consent at any time, as easily as you gave it",
    ),
    "legal_obligation_law": ("{law}", "{law}"),
    "special_condition": (
        "Données sensibles traitées au titre de l'{article} du RGPD : {condition}",
        "Special category data processed under GDPR {article}: {condition}",
    ),
    "direct_marketing": ("Prospection commerciale", "Direct marketing"),
    "objection_how": ("Pour vous y opposer : {how}", "To object: {how}"),
    # Sources (art. 14(1)(d), 14(2)(f)).
    "h_sources": ("D'où viennent vos données ?", "Where your data comes from"),
    "sources_intro": (
        "Nous collectons vos données auprès des sources suivantes.",
        "We obtain your data from the following sources.",
    ),
    "col_source": ("Source", "Source"),
    "col_source_kind": ("Origine", "Origin"),
    "col_third_party": ("Tiers", "Third party"),
    "col_categories": ("Catégories de données", "Categories of data"),
    # Recipients and transfers (art. 13(1)(e)-(f)).
    "h_recipients": ("Qui reçoit vos données ?", "Who receives your data"),
    "recipients_intro": (
        "Vos données ne sont communiquées qu'aux destinataires suivants, et seulement pour les "
        "finalités indiquées.",
        "Your data is disclosed only to the following recipients, and only for the purposes shown.",
    ),
    "no_recipients": (
        "Vos données ne sont communiquées à aucun destinataire extérieur.",
        "Your data is not disclosed to any outside recipient.",
    ),
    "col_recipient": ("Destinataire", "Recipient"),
    "col_recipient_kind": ("Type de destinataire", "Kind of recipient"),
    "col_country": ("Pays", "Country"),
    "col_for": ("Pour", "For"),
    "h_transfers": (
        "Transferts hors de l'Espace économique européen",
        "Transfers outside the European Economic Area",
    ),
    "transfers_intro": (
        "Certaines de vos données sont transférées hors de l'Espace économique européen ; "
        "chaque transfert est encadré par la garantie indiquée (art. 44 à 49 RGPD), dont vous "
        "pouvez obtenir une copie en nous écrivant.",
        "Some of your data is transferred outside the European Economic Area; each transfer is "
        "covered by the safeguard shown (GDPR Arts. 44-49), a copy of which you can obtain by "
        "writing to us.",
    ),
    "no_transfers": (
        "Vos données ne sont pas transférées hors de l'Espace économique européen.",
        "Your data is not transferred outside the European Economic Area.",
    ),
    "col_safeguard": ("Garantie", "Safeguard"),
    "col_reference": ("Documentation", "Documentation"),
    "no_safeguard": ("Garantie non précisée", "Safeguard not stated"),
    "h_hosting": ("Hébergement", "Hosting"),
    "hosted_in": ("Lieu d'hébergement de vos données", "Where your data is hosted"),
    # Retention (art. 13(2)(a)) and legal holds (art. 17(3)(b), (e)).
    "h_retention": ("Combien de temps conservons-nous vos données ?", "How long we keep your data"),
    "retention_intro": (
        "Nous ne conservons vos données que le temps nécessaire à chaque finalité ; à "
        "l'issue de cette durée, elles sont supprimées ou anonymisées.",
        "We keep your data only as long as each purpose needs it; after that period it is "
        "deleted or anonymised.",
    ),
    "col_retention": ("Durée de conservation", "Retention period"),
    "col_then": ("À l'issue", "Then"),
    "retention_unset": ("Durée non précisée", "Period not stated"),
    "legal_archive": ("Archivage légal", "Legal archive"),
    "h_holds": ("Conservation imposée par la loi", "Retention required by law"),
    "holds_intro": (
        "Même si vous demandez l'effacement de vos données, la loi nous oblige à conserver "
        "les données suivantes, archivées et accessibles seulement à qui en a besoin, pendant "
        "la durée indiquée (art. 17(3)(b) et (e) RGPD).",
        "Even if you ask us to erase your data, the law requires us to keep the following "
        "data, archived and accessible only to those who need it, for the period shown "
        "(GDPR Art. 17(3)(b) and (e)).",
    ),
    "col_what": ("Données", "Data"),
    "col_law": ("Texte applicable", "Legal provision"),
    # Cookies (ePrivacy art. 5(3), CNIL guidelines 2020).
    "h_cookies": ("Cookies et autres traceurs", "Cookies and other trackers"),
    "cookies_intro": (
        "Les traceurs soumis à consentement ne sont déposés qu'après votre accord. Vous pouvez "
        "accepter ou refuser chaque catégorie, et modifier vos choix à tout moment, aussi "
        "simplement qu'au premier jour, depuis le lien « Gérer les cookies » présent sur "
        "chaque page.",
        "Trackers that need consent are set only once you have agreed. You can accept or "
        "refuse each category, and change your choices at any time, as easily as on the first "
        "day, through the \u201cManage cookies\u201d link on every page.",
    ),
    "col_cookie": ("Nom", "Name"),
    "col_provider": ("Émetteur", "Provider"),
    "col_cookie_category": ("Catégorie", "Category"),
    "col_cookie_purpose": ("Finalité", "Purpose"),
    "col_lifetime": ("Durée de vie", "Lifetime"),
    "col_consent": ("Consentement", "Consent"),
    "session": ("Le temps de la session", "For the session"),
    "cookie_exempt": ("Exempté (strictement nécessaire)", "Exempt (strictly necessary)"),
    "cookie_exempt_audience": (
        "Exempté (mesure d'audience anonyme)",
        "Exempt (anonymous audience measurement)",
    ),
    "cookie_needs_consent": ("Requis", "Required"),
    # Automated decisions (art. 13(2)(f), 22).
    "h_automated": ("Décisions automatisées", "Automated decisions"),
    "automated_intro": (
        "Les décisions suivantes sont prises par un traitement automatisé. Vous avez le droit "
        "d'obtenir une intervention humaine, d'exprimer votre point de vue et de contester la "
        "décision (art. 22 RGPD).",
        "The following decisions are made by automated processing. You have the right to "
        "obtain human intervention, to express your point of view and to contest the decision "
        "(GDPR Art. 22).",
    ),
    "no_automated": (
        "Nous ne prenons aucune décision fondée exclusivement sur un traitement automatisé qui "
        "produirait des effets juridiques vous concernant ou vous affecterait de manière "
        "significative (art. 22 RGPD).",
        "We make no decision based solely on automated processing that would produce legal "
        "effects concerning you or similarly significantly affect you (GDPR Art. 22).",
    ),
    "col_logic": ("Logique sous-jacente", "Logic involved"),
    "col_significance": ("Importance et conséquences", "Significance and consequences"),
    # Processor role (seed 000, art. 28).
    "h_processor": (
        "Données traitées pour le compte de nos clients",
        "Data we process on behalf of our customers",
    ),
    "processor_customers_controllers": (
        "Pour ces données, nos clients sont responsables du traitement et nous agissons en "
        "qualité de sous-traitant (art. 28 RGPD) : pour exercer vos droits, adressez-vous en "
        "priorité à l'organisation concernée ; nous lui transmettrons toute demande reçue.",
        "For this data our customers are the controllers and we act as their processor (GDPR "
        "Art. 28): to exercise your rights, contact the organisation concerned first; we pass "
        "on to it any request we receive.",
    ),
    # Rights (arts. 7(3), 15-22, 77).
    "h_rights": ("Vos droits", "Your rights"),
    "rights_intro": (
        "Vous disposez des droits suivants sur vos données :",
        "You have the following rights over your data:",
    ),
    "right_access": (
        "Droit d'accès (art. 15) : obtenir la confirmation que nous traitons vos données, et "
        "une copie de celles-ci avec les informations de cette politique.",
        "Right of access (Art. 15): confirmation that we process your data, and a copy of it "
        "with the information in this notice.",
    ),
    "right_rectification": (
        "Droit de rectification (art. 16) : faire corriger des données inexactes ou compléter "
        "des données incomplètes.",
        "Right to rectification (Art. 16): have inaccurate data corrected and incomplete data "
        "completed.",
    ),
    "right_erasure": (
        "Droit à l'effacement (art. 17) : faire effacer vos données, sauf celles que la loi "
        "nous oblige à conserver.",
        "Right to erasure (Art. 17): have your data erased, except what the law requires us "
        "to keep.",
    ),
    "right_restriction": (
        "Droit à la limitation (art. 18) : faire geler l'utilisation de vos données, par "
        "exemple le temps de vérifier leur exactitude ou d'examiner votre opposition.",
        "Right to restriction (Art. 18): have the use of your data frozen, for instance while "
        "its accuracy is checked or your objection examined.",
    ),
    "right_portability": (
        "Droit à la portabilité (art. 20) : recevoir les données que vous nous avez fournies, "
        "traitées sur la base de votre consentement ou d'un contrat, dans un format structuré "
        "et lisible par machine, ou les faire transmettre à un autre organisme.",
        "Right to data portability (Art. 20): receive the data you provided to us, processed "
        "on the basis of your consent or a contract, in a structured, machine-readable format, "
        "or have it sent to another organisation.",
    ),
    "right_objection": (
        "Droit d'opposition (art. 21) : vous opposer à tout moment, pour des raisons tenant à "
        "votre situation particulière, aux traitements fondés sur notre intérêt légitime ou une "
        "mission d'intérêt public.",
        "Right to object (Art. 21): object at any time, on grounds relating to your particular "
        "situation, to processing based on our legitimate interests or a public task.",
    ),
    "right_objection_marketing": (
        "Vous pouvez vous opposer à tout moment, sans avoir à vous justifier, à l'utilisation "
        "de vos données à des fins de prospection commerciale : nous y mettrons fin "
        "immédiatement (art. 21(2) et (3)).",
        "You can object at any time, without giving any reason, to the use of your data for "
        "direct marketing: we will stop at once (Art. 21(2) and (3)).",
    ),
    "right_withdraw": (
        "Droit de retirer votre consentement (art. 7(3)) à tout moment, aussi simplement que "
        "vous l'avez donné ; le retrait ne remet pas en cause les traitements effectués "
        "auparavant.",
        "Right to withdraw your consent (Art. 7(3)) at any time, as easily as you gave it; "
        "withdrawal does not affect processing carried out before it.",
    ),
    "right_automated": (
        "Droit de ne pas faire l'objet d'une décision fondée exclusivement sur un traitement "
        "automatisé (art. 22).",
        "Right not to be subject to a decision based solely on automated processing (Art. 22).",
    ),
    "right_post_mortem": (
        "Droit de définir des directives relatives au sort de vos données après votre décès "
        "(art. 85 de la loi Informatique et Libertés).",
        "Right to set instructions about what happens to your data after your death "
        "(Art. 85 of the French Data Protection Act).",
    ),
    "h_exercise": ("Comment exercer vos droits", "How to exercise your rights"),
    "exercise_intro": (
        "Pour exercer vos droits, contactez-nous :",
        "To exercise your rights, contact us:",
    ),
    "by_email": ("Par e-mail", "By email"),
    "by_post": ("Par courrier", "By post"),
    "by_form": ("Par le formulaire en ligne", "Through the online form"),
    "by_portal": ("Depuis votre espace personnel", "From your account"),
    "exercise_terms": (
        "Nous vous répondrons dans un délai d'un mois à compter de la réception de votre "
        "demande ; ce délai peut être prolongé de deux mois si la demande est complexe ou si "
        "nous en recevons un grand nombre, auquel cas nous vous en informerons dans le premier "
        "mois (art. 12(3) RGPD). L'exercice de vos droits est gratuit. En cas de doute "
        "raisonnable sur votre identité, nous pourrons vous demander les seules informations "
        "nécessaires pour la confirmer (art. 12(6)).",
        "We will answer within one month of receiving your request; this period can be "
        "extended by two months if the request is complex or we receive many, in which case we "
        "will tell you within the first month (GDPR Art. 12(3)). Exercising your rights is free "
        "of charge. If we have reasonable doubts about your identity, we may ask only for what "
        "is needed to confirm it (Art. 12(6)).",
    ),
    "h_complaint": ("Réclamation auprès de l'autorité de contrôle", "Complaint to the authority"),
    "complaint_text": (
        "Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, "
        "vous pouvez introduire une réclamation auprès de l'autorité de contrôle (art. 77 "
        "RGPD) :",
        "If, after contacting us, you consider that your rights are not respected, you can "
        "lodge a complaint with the supervisory authority (GDPR Art. 77):",
    ),
    # Security (art. 32).
    "h_security": ("Sécurité de vos données", "Security of your data"),
    "security_intro": (
        "Nous protégeons vos données par les mesures techniques et organisationnelles "
        "suivantes (art. 32 RGPD) :",
        "We protect your data with the following technical and organisational measures "
        "(GDPR Art. 32):",
    ),
    # Changes (art. 13(3)).
    "h_changes": ("Modifications de cette politique", "Changes to this notice"),
    "changes_intro": (
        "Nous vous informerons de toute modification importante de cette politique avant "
        "qu'elle ne s'applique, et vous demanderons à nouveau votre consentement lorsque la "
        "loi l'exige.",
        "We will tell you about any significant change to this notice before it applies, and "
        "ask for your consent again where the law requires it.",
    ),
    "col_version": ("Version", "Version"),
    "col_date": ("Date", "Date"),
    "col_summary": ("Changements", "Changes"),
    "generated_by": (
        "Document généré par Gardien à partir de la politique version {version}.",
        "Document generated by Gardien from policy version {version}.",
    ),
    "sep": (" : ", ": "),
    "none": ("Aucune", "None"),
    "no": ("Non", "No"),
}

# GDPR art. 9(2)(a)-(j), in the reader's words.
ART9_LABELS: dict[Art9Condition, tuple[str, str]] = {
    Art9Condition.EXPLICIT_CONSENT: ("votre consentement explicite", "your explicit consent"),
    Art9Condition.EMPLOYMENT_SOCIAL_SECURITY: (
        "obligations en matière de droit du travail et de la sécurité sociale",
        "employment and social security obligations",
    ),
    Art9Condition.VITAL_INTERESTS: (
        "sauvegarde de vos intérêts vitaux",
        "protection of your vital interests",
    ),
    Art9Condition.NOT_FOR_PROFIT_BODY: (
        "activités légitimes d'un organisme à but non lucratif",
        "legitimate activities of a not-for-profit body",
    ),
    Art9Condition.MADE_PUBLIC_BY_SUBJECT: (
        "données que vous avez manifestement rendues publiques",
        "data you have manifestly made public",
    ),
    Art9Condition.LEGAL_CLAIMS: (
        "constatation, exercice ou défense de droits en justice",
        "establishment, exercise or defence of legal claims",
    ),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: (
        "motifs d'intérêt public important",
        "reasons of substantial public interest",
    ),
    Art9Condition.HEALTH_OR_SOCIAL_CARE: (
        "médecine préventive, diagnostics, soins ou protection sociale",
        "preventive medicine, diagnosis, health or social care",
    ),
    Art9Condition.PUBLIC_HEALTH: ("santé publique", "public health"),
    Art9Condition.ARCHIVING_RESEARCH_STATISTICS: (
        "archivage, recherche scientifique ou historique, ou statistiques",
        "archiving, scientific or historical research, or statistics",
    ),
}


def text(key: str, lang: Language, **values: object) -> str:
    """The sentence ``key`` in ``lang``, with its placeholders filled in."""
    french, english = STRINGS[key]
    template = english if lang == "en" else french
    return template.format(**values) if values else template


def art9_label(condition: Art9Condition, lang: Language) -> str:
    french, english = ART9_LABELS[condition]
    return english if lang == "en" else french
