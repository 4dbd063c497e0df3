"""Access (art. 15) and portability (art. 20) packages: what is in the zip, and the report."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from gardien.requests import RequestStatus, run
from tests.requests.test_erasure import verified
from tests.requests.world import World, make_world


def open_zip(path: Path) -> zipfile.ZipFile:
    assert path.is_file(), path
    return zipfile.ZipFile(path)


def test_the_access_package_holds_data_json_one_csv_per_table_and_the_report(
    tmp_path: Path, any_shop_url: str
) -> None:
    world = make_world(tmp_path, any_shop_url)
    world.ledger.give_consent("email:marie@example.fr", "marketing")
    ref = verified(world.workflow, "access", "email:marie@example.fr")
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED, result.steps
    archive = open_zip(tmp_path / "requests" / ref / "access.zip")
    names = set(archive.namelist())
    assert {"data.json", "report.html"} <= names
    assert {
        "tables/shop.customers.csv",
        "tables/shop.orders.csv",
        "tables/shop.invoices.csv",
        "tables/shop.reviews.csv",
        "tables/gardien.consents.csv",
        "tables/gardien.requests.csv",
    } <= names
    data = json.loads(archive.read("data.json"))
    by_table = {(t["dataset"], t["table"]): t["rows"] for t in data["tables"]}
    assert [r["id"] for r in by_table[("shop", "orders")]] == [10, 11]
    assert [r["id"] for r in by_table[("shop", "invoices")]] == [100]
    assert [r["body"] for r in by_table[("shop", "reviews")]] == ["Très bien"]
    assert [r["email"] for r in by_table[("shop", "customers")]] == ["Marie@Example.fr"]
    assert [r["last_ip"] for r in by_table[("shop", "customers")]] == ["192.0.2.10"]
    consents = by_table[("gardien", "consents")]
    assert [(c["purpose"], c["status"]) for c in consents] == [("marketing", "given")]
    assert [r["ref"] for r in by_table[("gardien", "requests")]] == [ref]
    customers = list(csv.reader(io.StringIO(archive.read("tables/shop.customers.csv").decode())))
    assert customers[0][:2] == ["id", "email"]
    assert customers[1][1] == "Marie@Example.fr"
    assert len(customers) == 2  # header and Marie: nobody else


def test_the_access_report_gives_what_article_15_1_requires(world: World) -> None:
    ref = verified(world.workflow, "access", "email:marie@example.fr")
    run(world.workflow, ref)
    html = (world.workflow.output_dir / ref / "report.html").read_text()
    policy = world.policy
    for purpose in policy.purposes:  # (a) purposes, with their bases
        assert purpose.title.fr.split()[0] in html
    assert "Intérêt légitime" in html
    assert "Adresse e-mail" in html  # (b) categories found, in words
    assert "Code de commerce L123-22" in html  # (d) retention required by law
    assert "10 ans" in html
    assert "rectification" in html  # (e) rights
    assert "CNIL" in html  # (f) complaint
    assert "Décisions automatisées" in html  # (h)


def test_the_report_is_in_english_when_the_request_is(world: World) -> None:
    request = world.workflow.receive("access", "email:marie@example.fr", "portal", lang="en")
    world.workflow.confirm_identity(request.ref, "portal session")
    run(world.workflow, request.ref)
    html = (world.workflow.output_dir / request.ref / "report.html").read_text()
    assert "Your personal data" in html
    assert "Legitimate interests" in html
    assert "lodge a complaint" in html


def test_portability_carries_only_portable_columns(world: World) -> None:
    ref = verified(world.workflow, "portability", "email:marie@example.fr")
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED
    archive = open_zip(world.workflow.output_dir / ref / "portability.zip")
    names = set(archive.namelist())
    assert "report.html" not in names
    assert not any(n.startswith("tables/gardien.") for n in names)
    data = json.loads(archive.read("data.json"))
    columns = {t["table"]: set(t["columns"]) for t in data["tables"]}
    # Identity and contact serve contract purposes: portable. The last IP address is
    # technical data, used in seed 001 only on legitimate interests: not portable (art. 20(1)).
    assert "email" in columns["customers"]
    assert "last_ip" not in columns["customers"]


def test_an_unreachable_dataset_makes_the_access_partial_and_a_rerun_completes_it(
    tmp_path: Path, shop_url: str
) -> None:
    moved = tmp_path / "elsewhere.db"
    world = make_world(tmp_path, f"sqlite:///{moved}?mode=ro&uri=true")
    ref = verified(world.workflow, "access", "email:marie@example.fr")
    first = run(world.workflow, ref)
    assert first.request.status is RequestStatus.PARTIAL
    assert first.request.reason is not None
    assert "dataset:shop" in first.request.reason
    Path(shop_url.removeprefix("sqlite:///")).rename(moved)
    world = make_world(tmp_path, f"sqlite:///{moved}")
    second = run(world.workflow, ref)
    assert second.request.status is RequestStatus.COMPLETED
    data = json.loads(open_zip(world.workflow.output_dir / ref / "access.zip").read("data.json"))
    assert any(t["table"] == "orders" for t in data["tables"])


def test_someone_we_hold_nothing_on_is_told_so(world: World) -> None:
    ref = verified(world.workflow, "access", "email:nobody@example.fr")
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED
    html = (world.workflow.output_dir / ref / "report.html").read_text()
    assert "aucune donnée vous concernant" in html
    assert "Nous confirmons traiter" not in html
