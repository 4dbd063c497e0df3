"""Printing ``gardien subject show``: everything the ledger holds on one person."""

from __future__ import annotations

from rich.console import Console

from gardien.ledger import PersonState, SubjectFile


def subject_json(found: SubjectFile) -> dict[str, object]:
    return {
        "ref": found.ref,
        "created_at": found.created_at.isoformat(),
        "erased_at": found.erased_at.isoformat() if found.erased_at else None,
        "identifiers": [str(i) if i else None for i in found.identifiers],
        "consents": [
            {
                "record_id": c.record_id,
                "receipt_id": c.receipt_id,
                "schema_version": c.schema_version,
                "purpose": c.purpose,
                "status": c.status.value,
                "at": c.at.isoformat(),
                "policy_version": c.policy_version,
                "notice_hash": c.notice_hash,
                "channel": c.channel.value,
                "method": c.method.value,
                "expires_at": c.expires_at.isoformat() if c.expires_at else None,
                "evidence": c.evidence,
                "actor": c.actor,
            }
            for c in found.consents
        ],
        "objections": [
            {
                "record_id": o.record_id,
                "purpose": o.purpose,
                "status": o.status.value,
                "at": o.at.isoformat(),
                "channel": o.channel.value,
                "evidence": o.evidence,
                "actor": o.actor,
            }
            for o in found.objections
        ],
        "restrictions": [
            {
                "record_id": r.record_id,
                "status": r.status.value,
                "ground": r.ground.value if r.ground else None,
                "at": r.at.isoformat(),
                "channel": r.channel.value,
                "evidence": r.evidence,
                "actor": r.actor,
            }
            for r in found.restrictions
        ],
        "audit": [
            {"seq": a.seq, "at": a.at.isoformat(), "event": a.event_type, "actor": a.actor}
            for a in found.audit
        ],
    }


def print_subject(out: Console, found: SubjectFile, state: PersonState) -> None:
    say = out.print
    say(
        f"person {found.ref} (in the ledger since {found.created_at:%Y-%m-%d %H:%M} UTC)",
        markup=False,
    )
    if found.erased_at:
        say(f"  erased on {found.erased_at:%Y-%m-%d}", markup=False)
    say("identifiers:", markup=False)
    for ident in found.identifiers:
        say(f"  {ident if ident else '(destroyed)'}", markup=False)
    say("current state:", markup=False)
    for purpose, consent in sorted(state.consents.items()):
        say(f"  consent {purpose}: {consent.status.value}", markup=False)
    for purpose in sorted(state.objections):
        say(f"  objection: {purpose}", markup=False)
    say(f"  restricted: {'yes' if state.restricted else 'no'}", markup=False)
    say("history:", markup=False)
    events = (
        [
            (
                c.at,
                f"consent {c.status.value}: {c.purpose} via {c.channel.value} "
                f"(policy {c.policy_version}, record {c.record_id})",
            )
            for c in found.consents
        ]
        + [
            (o.at, f"objection {o.status.value}: {o.purpose} via {o.channel.value}")
            for o in found.objections
        ]
        + [
            (r.at, f"restriction {r.status.value}" + (f" ({r.ground.value})" if r.ground else ""))
            for r in found.restrictions
        ]
    )
    for at, text in sorted(events, key=lambda e: e[0]):
        say(f"  {at:%Y-%m-%d %H:%M:%S} {text}", markup=False)
    say(f"audit entries: {', '.join(str(a.seq) for a in found.audit)}", markup=False)
