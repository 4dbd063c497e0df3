"""The scan's drafts, the CLI around it, and declaration files with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.cli import app
from gardien.datasets import DatasetFileError, DatasetMismatchError, parse_dataset
from gardien.datasets.binding import bind
from gardien.datasets.scan import compare, draft, render
from gardien.datasets.schema import reflect
from gardien.policy.model import Policy
from tests.datasets.shop import FIXTURES, build_shop

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "datasets"


def test_scan_drafts_categories_identities_and_links_to_review(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    build_shop(url).dispose()
    result = CliRunner().invoke(
        app, ["datasets", "scan", url, "--name", "shop", "-o", str(tmp_path / "draft.yaml")]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "draft.yaml").read_text()
    dataset = parse_dataset(text)
    customer = dataset.tables["customer"].columns
    assert customer["email"].identity == "email"
    assert customer["email"].categories == ["contact.email"]
    assert customer["id"].identity == "customer_id"
    assert customer["phone"].categories == ["contact.phone"]
    assert customer["birth_date"].categories == ["identity.birth_date"]
    links = {(link.child, link.follow.value, link.shared) for link in dataset.links}
    assert ("ticket.agent_id", "none", False) in links
    assert ("customer.address_id", "to_parent", True) in links
    assert "REVIEW" in text
    assert "store" not in dataset.tables


def test_scan_guesses_links_a_database_does_not_declare(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'nofk.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT)"))
        conn.execute(
            sa.text("CREATE TABLE payment_card (id TEXT PRIMARY KEY, customer_id INT, ccn BIGINT)")
        )
        conn.execute(
            sa.text(
                "CREATE TABLE orders (id TEXT PRIMARY KEY, customer_id INT, payment_card_id TEXT)"
            )
        )
        live = reflect(conn)
    engine.dispose()
    guessed = {(g.child, g.parent) for g in draft(live).links}
    assert guessed == {
        ("payment_card.customer_id", "customer.id"),
        ("orders.customer_id", "customer.id"),
        ("orders.payment_card_id", "payment_card.id"),
    }


def test_scan_accuracy_against_the_reviewed_shop_declaration(tmp_path: Path) -> None:
    from gardien.datasets import load_dataset

    engine = build_shop(f"sqlite:///{tmp_path / 'shop.db'}")
    with engine.connect() as conn:
        live = reflect(conn)
    engine.dispose()
    scanned = parse_dataset(render(draft(live), live, "shop", "SHOP_URL"))
    accuracy = compare(bind(scanned, live), bind(load_dataset(FIXTURES / "shop.yaml"), live))
    assert accuracy.links_found <= accuracy.links_needed
    assert (
        accuracy.columns_right + len(accuracy.columns_missed) + len(accuracy.columns_wrong)
        == accuracy.columns_personal
    )
    assert "customer.email" not in accuracy.columns_missed


def test_declaration_errors_are_located_and_all_reported() -> None:
    text = (
        "gardien_dataset: 1\nname: shop\nurl_env: SHOP_URL\ntables:\n  customer:\n"
        "    erasure: delete_rows\n    columns:\n"
        "      email: {categories: [contact.emial], erasure: keep}\n"
        "links:\n  - {child: orders.customer_id, parent: customer.id}\n"
    )
    with pytest.raises(DatasetFileError) as caught:
        parse_dataset(text, "shop.yaml")
    rendered = str(caught.value)
    assert "shop.yaml:6" in rendered  # the erasure strategy's line
    assert "delete_rows" in rendered
    assert "shop.yaml:8" in rendered  # keep without a hold


def test_unknown_categories_and_holds_are_reported_against_the_policy(
    shop_policy: Policy,
) -> None:
    text = (
        "gardien_dataset: 1\nname: shop\nurl_env: SHOP_URL\ntables:\n  invoice:\n"
        "    columns:\n      total: {categories: [transaction.invoise], erasure: keep, "
        "hold: invoice, event: issued_on}\n      issued_on: {}\n"
    )
    with pytest.raises(DatasetFileError) as caught:
        parse_dataset(text, "d.yaml", shop_policy)
    rendered = str(caught.value)
    assert "unknown category 'transaction.invoise'" in rendered
    assert "`transaction.invoice`" in rendered
    assert "unknown legal hold 'invoice'" in rendered


def test_a_declaration_that_does_not_match_the_database_fails_at_start(tmp_path: Path) -> None:
    engine = build_shop(f"sqlite:///{tmp_path / 'shop.db'}")
    text = (FIXTURES / "shop.yaml").read_text().replace("  ticket:", "  tickets:")
    text = text.replace("ticket.agent_id", "tickets.agent_id")
    with engine.connect() as conn:
        live = reflect(conn)
    engine.dispose()
    with pytest.raises(DatasetMismatchError, match="'tickets' is declared but not in the"):
        bind(parse_dataset(text), live)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in EXAMPLES.glob("*.yaml") if p.name != "policy.yaml")
)
def test_example_declarations_are_valid_against_the_example_policy(name: str) -> None:
    from gardien.datasets import load_dataset
    from gardien.policy import load_policy

    dataset = load_dataset(EXAMPLES / name, load_policy(EXAMPLES / "policy.yaml"))
    assert dataset.tables


def test_cli_checks_plans_erases_and_writes_an_access_package(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    build_shop(url).dispose()
    runner = CliRunner()
    env = {"SHOP_DATABASE_URL": url}
    declaration = str(FIXTURES / "shop.yaml")
    policy = str(FIXTURES / "shop-policy.yaml")
    checked = runner.invoke(app, ["datasets", "check", declaration, "--policy", policy], env=env)
    assert checked.exit_code == 0, checked.output
    assert "9 tables match the database" in checked.output
    access = runner.invoke(
        app,
        [
            "datasets",
            "access",
            declaration,
            "-i",
            "customer_id:3",
            "-o",
            str(tmp_path / "carol.zip"),
        ],
        env=env,
    )
    assert access.exit_code == 0, access.output
    assert (tmp_path / "carol.zip").stat().st_size > 0
    plan = runner.invoke(
        app,
        [
            "datasets",
            "plan",
            declaration,
            "--policy",
            policy,
            "-i",
            "email:alice@example.fr",
            "--keys",
        ],
        env=env,
    )
    assert plan.exit_code == 0, plan.output
    assert '"invoices"' in plan.output
    erased = runner.invoke(
        app,
        ["datasets", "erase", declaration, "--policy", policy, "-i", "email:alice@example.fr"],
        env=env,
    )
    assert erased.exit_code == 0, erased.output
    assert "Code de commerce L123-22" in erased.output
    missing = runner.invoke(app, ["datasets", "check", declaration], env={})
    assert missing.exit_code == 2
    assert "SHOP_DATABASE_URL" in missing.output


def test_sqlite_columns_unique_in_their_own_definition_are_seen_as_unique(tmp_path: Path) -> None:
    """A mask written on a UNIQUE column must differ per row: the scan must know it is one."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'u.db'}")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE members (id INTEGER PRIMARY KEY, email VARCHAR(80) UNIQUE,"
                " login TEXT NOT NULL, phone TEXT, team INTEGER, seat INTEGER,"
                " UNIQUE (login), UNIQUE (team, seat))"
            )
        )
        conn.execute(sa.text('CREATE UNIQUE INDEX "members phone" ON members (phone)'))
        columns = reflect(conn).tables["members"].columns
    engine.dispose()
    unique = {name for name, column in columns.items() if column.unique}
    assert unique == {"id", "email", "login", "phone"}  # a pair unique together is not
