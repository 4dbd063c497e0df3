"""Every class of bad policy file gets located, explained problems, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from gardien.errors import PolicyFileError, PolicyProblem
from gardien.policy import load_policy, parse_policy
from tests.policy.builders import MINIMAL, minimal_data, to_yaml


def problems_of(text: str) -> list[PolicyProblem]:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, "bad.yaml")
    return caught.value.problems


def test_the_minimal_policy_loads() -> None:
    policy = load_policy(MINIMAL)
    assert policy.purposes[0].id == "orders"
    assert policy.supervisory_authority.name.endswith("(CNIL)")


def test_an_empty_file_is_reported_as_empty() -> None:
    (problem,) = problems_of("")
    assert "empty" in problem.message
    assert problem.line == 1


def test_a_file_of_comments_only_is_empty() -> None:
    (problem,) = problems_of("# nothing here\n")
    assert "empty" in problem.message


def test_a_yaml_syntax_error_gives_line_and_column() -> None:
    (problem,) = problems_of("gardien: 1\npurposes: [a, b\nversion: x\n")
    assert problem.message.startswith("YAML syntax error")
    assert problem.line == 3
    assert problem.column is not None


def test_a_top_level_list_is_not_a_policy() -> None:
    (problem,) = problems_of("- a\n- b\n")
    assert "top level is a list" in problem.message


def test_wrong_types_are_reported_with_what_was_expected() -> None:
    data = minimal_data()
    data["version"] = 1
    data["purposes"][0]["direct_marketing"] = "perhaps"
    problems = problems_of(to_yaml(data))
    by_path = {p.field_path: p for p in problems}
    assert by_path["version"].expected is not None
    assert "text" in by_path["version"].expected
    assert by_path["purposes[0].direct_marketing"].expected == "true or false"


def test_unknown_references_are_reported_with_a_suggestion() -> None:
    data = minimal_data()
    data["purposes"][0]["categories"] = ["identity", "contcat"]
    data["purposes"][0]["retention"] = "relationshp"
    data["purposes"][0]["subjects"] = ["custmers"]
    problems = problems_of(to_yaml(data))
    suggestions = {p.field_path: p.suggestion for p in problems}
    assert suggestions["purposes[0].categories[1]"] == "`contact`"
    assert suggestions["purposes[0].retention"] == "`relationship`"
    assert suggestions["purposes[0].subjects[0]"] == "`customers`"


def test_a_misspelt_field_suggests_the_right_name() -> None:
    data = minimal_data()
    data["purposes"][0]["titel"] = data["purposes"][0].pop("title")
    problems = problems_of(to_yaml(data))
    unknown = next(p for p in problems if "unknown field" in p.message)
    assert unknown.suggestion == "`title`"
    assert any("`title` is missing" in p.message for p in problems)


def test_a_misspelt_enum_value_suggests_the_right_one() -> None:
    data = minimal_data()
    data["purposes"][0]["legal_bases"] = [{"basis": "contrat"}]
    (problem,) = problems_of(to_yaml(data))
    assert problem.suggestion == "`contract`"
    assert problem.field_path == "purposes[0].legal_bases[0].basis"


def test_duplicate_ids_are_reported_with_both_lines() -> None:
    data = minimal_data()
    data["purposes"].append(dict(data["purposes"][0]))
    (problem,) = problems_of(to_yaml(data))
    assert "duplicate id 'orders'" in problem.message
    assert "first declared at line" in problem.message


def test_duplicate_yaml_keys_are_not_silently_merged() -> None:
    text = MINIMAL.read_text(encoding="utf-8") + "version: '2.0'\n"
    (problem,) = problems_of(text)
    assert "duplicate key 'version'" in problem.message


def test_all_problems_are_reported_at_once_in_file_order() -> None:
    data = minimal_data()
    data["gardien"] = 2
    data["controller"].pop("name")
    data["purposes"][0]["categories"] = ["nonexistent"]
    data["cookies"] = [
        {"name": "_ga", "provider": "Google", "category": "ads", "lifetime": "13 months"}
    ]
    problems = problems_of(to_yaml(data))
    assert len(problems) >= 4
    lines = [p.line or 0 for p in problems]
    assert lines == sorted(lines)
    assert all(p.file == "bad.yaml" for p in problems)


def test_an_invalid_date_is_located() -> None:
    data = minimal_data()
    text = to_yaml(data).replace("2025-01-15", "2025-13-45")
    (problem,) = problems_of(text)
    assert problem.field_path == "effective_date"
    assert problem.line is not None


def test_a_bad_duration_explains_the_expected_form() -> None:
    data = minimal_data()
    data["retention"][0]["duration"] = "3 years"
    (problem,) = problems_of(to_yaml(data))
    assert "ISO 8601" in problem.message


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError) as caught:
        load_policy(tmp_path / "nope.yaml")
    assert caught.value.problems[0].message == "no such file"


def test_a_folder_is_not_a_policy(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="1 problem"):
        load_policy(tmp_path)


def test_a_binary_file_is_not_a_policy(tmp_path: Path) -> None:
    binary = tmp_path / "policy.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(binary)
    assert "UTF-8" in caught.value.problems[0].message


def test_a_new_category_needs_labels() -> None:
    data = minimal_data()
    data["categories"].append({"id": "loyalty"})
    (problem,) = problems_of(to_yaml(data))
    assert "needs a `label`" in problem.message


def test_a_policy_can_add_its_own_category() -> None:
    data = minimal_data()
    data["categories"].append(
        {
            "id": "loyalty",
            "label": {"fr": "Fidélité", "en": "Loyalty"},
            "dpv": "https://w3id.org/dpv/pd#Purchase",
        }
    )
    data["purposes"][0]["categories"].append("loyalty")
    policy = parse_policy(to_yaml(data))
    assert policy.category_label("loyalty", "fr") == "Fidélité"
    assert policy.category_label("contact.email", "en") == "Email address"


def test_a_third_party_source_must_name_the_third_party() -> None:
    data = minimal_data()
    data["sources"].append(
        {"id": "fraud", "kind": "third_party", "label": {"fr": "Prévention de la fraude"}}
    )
    (problem,) = problems_of(to_yaml(data))
    assert "name the third party" in problem.message
