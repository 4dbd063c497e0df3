"""Identifiers are normalised so one person is one person, however they spell themselves."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gardien.ledger import Identifier, IdentifierKind, InvalidIdentifierError, parse_subject


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Marie.Dupont@Example.FR", IdentifierKind.EMAIL, "marie.dupont@example.fr"),
        ("  email:marie+news@example.fr ", IdentifierKind.EMAIL, "marie+news@example.fr"),
        ("phone:06 12 34 56 78", IdentifierKind.PHONE, "+33612345678"),
        ("phone:+33 (0)6.12.34.56.78".replace("(0)", ""), IdentifierKind.PHONE, "+33612345678"),
        ("tel:0044 20 7946 0958", IdentifierKind.PHONE, "+442079460958"),
        ("customer:  C-1001 ", IdentifierKind.CUSTOMER_ID, "C-1001"),
        ("cookie:AbC123", IdentifierKind.COOKIE_ID, "AbC123"),
        ("customer_id:42", IdentifierKind.CUSTOMER_ID, "42"),
    ],
)
def test_subjects_are_parsed_and_normalised(text: str, kind: IdentifierKind, value: str) -> None:
    assert parse_subject(text) == Identifier(kind, value)


@pytest.mark.parametrize(
    "text", ["42", "email:not-an-address", "phone:12", "phone:call me", "fax:0102030405", ""]
)
def test_malformed_subjects_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        parse_subject(text)


def test_case_and_dots_of_an_email_are_kept_apart_from_gmail_rules() -> None:
    assert parse_subject("m.dupont@gmail.com") != parse_subject("mdupont@gmail.com")


@given(st.emails())
def test_normalising_an_email_twice_changes_nothing(address: str) -> None:
    once = Identifier.of(IdentifierKind.EMAIL, address)
    assert Identifier.of(IdentifierKind.EMAIL, once.value) == once
    assert Identifier.of(IdentifierKind.EMAIL, address.upper()) == once
