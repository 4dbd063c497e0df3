"""Marking people erased in the ledger (GDPR art. 17), one at a time or a whole batch at once."""

from __future__ import annotations

from gardien.ledger import Ledger
from gardien.ledger.ledger import as_identifier

MARIE, MARIE_ID = as_identifier("email:marie@example.fr"), as_identifier("customer_id:1001")
PAUL, NOBODY = as_identifier("email:paul@example.fr"), as_identifier("email:nobody@example.fr")


def test_a_batch_marks_each_person_erased_once_and_registers_the_unknown(
    boutique: Ledger,
) -> None:
    boutique.give_consent(MARIE, "marketing")
    boutique.add_identifier(MARIE, MARIE_ID)
    boutique.give_consent(PAUL, "marketing")
    # What a request searches the datasets with: every identifier of the person.
    assert boutique.identifiers_of([MARIE, NOBODY]) == {MARIE: (MARIE, MARIE_ID)}
    marie_ref = boutique.state(MARIE).subject_ref

    refs = boutique.mark_erased_many(
        [([MARIE], "R-1"), ([PAUL], "R-2"), ([NOBODY], "R-3"), ([MARIE_ID], "R-4")]
    )

    # Marie asked twice (by e-mail and by customer number): one person, one ref.
    assert refs[0] == refs[3] == marie_ref
    assert len(set(refs)) == 3
    # Someone the ledger did not know is registered erased, so an import cannot bring him back.
    nobody = boutique.subject(NOBODY)
    assert nobody is not None
    assert nobody.ref == refs[2]
    for who in (MARIE, MARIE_ID, PAUL, NOBODY):
        assert not boutique.decide(who, "marketing", ["contact"]).allowed
        found = boutique.subject(who)
        assert found is not None
        assert found.erased_at is not None
        assert all(i is None for i in found.identifiers)  # the values are destroyed
    # Once erased, the other values cannot be read: only the name asked with comes back.
    assert boutique.identifiers_of([MARIE]) == {MARIE: (MARIE,)}
    marie = boutique.subject(MARIE)
    assert marie is not None
    erased = sorted(e.payload for e in marie.audit if e.event_type == "person.erased")
    assert erased == ['{"request":"R-1"}', '{"request":"R-4"}']
    # Again (a rerun): the same refs come back and the first erasure date stays.
    assert boutique.mark_erased_many([([MARIE], "R-5"), ([PAUL], "R-6")]) == refs[:2]
    again = boutique.subject(MARIE)
    assert again is not None
    assert again.erased_at == marie.erased_at
    assert boutique.verify_audit().intact
    assert boutique.mark_erased_many([]) == []
