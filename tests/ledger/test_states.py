"""Reading people's states: one statement for any mix of names (a cache miss pays one)."""

from __future__ import annotations

from gardien.ledger import ConsentStatus, RestrictionGround, as_identifier
from gardien.ledger.state import NOBODY
from tests.ledger.worlds import LedgerFactory

MARIE = "email:marie.dupont@example.fr"
PAUL = "email:paul@example.fr"
JEANNE = "phone:06 12 34 56 78"
LEA = "email:lea@example.fr"


def test_states_read_together_for_names_of_several_kinds_are_those_read_one_by_one(
    make_ledger: LedgerFactory,
) -> None:
    writer, reader = make_ledger(), make_ledger()
    writer.give_consent(MARIE, "marketing")
    writer.add_identifier(MARIE, "customer:C-1001")
    writer.withdraw_consent(MARIE, "marketing")
    writer.give_consent(LEA, "marketing")
    writer.object(PAUL, "analytics")
    writer.restrict(JEANNE, ground=RestrictionGround.ACCURACY_CONTESTED)
    unknown = ["email:nobody@example.fr", "customer:C-404"]
    strangers = [f"customer:C-{i}" for i in range(600)]  # more than one chunk of names
    names = [MARIE, "customer:C-1001", PAUL, JEANNE, LEA, *unknown, *strangers]

    together = reader.states(names)

    marie = together[as_identifier(MARIE)]
    assert together[as_identifier("customer:C-1001")] == marie
    assert marie.consents["marketing"].status is ConsentStatus.WITHDRAWN
    assert together[as_identifier(LEA)].consents["marketing"].status is ConsentStatus.GIVEN
    assert together[as_identifier(PAUL)].objections == frozenset({"analytics"})
    assert together[as_identifier(JEANNE)].restricted
    assert all(together[as_identifier(name)] == NOBODY for name in [*unknown, *strangers])
    for name in names[:7]:
        reader.invalidate()
        assert reader.states([name]) == {as_identifier(name): together[as_identifier(name)]}
