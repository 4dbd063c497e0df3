#!/usr/bin/env bash
# A data-subject request end to end on the embedded defaults (see examples/requests/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
G=$PWD/.venv/bin/gardien
PY=$PWD/.venv/bin/python
OUT=$PWD/out/requests-demo
rm -rf "$OUT" && mkdir -p "$OUT"

# Seed 001 plus the invoices hold (Code de commerce L123-22), which the seed does not state.
"$PY" - "$OUT/policy.yaml" <<'PYTHON'
import sys, yaml
from gardien.policy import load_policy
data = load_policy("examples/001-boutique.yaml").model_dump(by_alias=True, mode="json", exclude_none=True)
data["legal_holds"] = [{"id": "invoices", "title": {"fr": "Factures", "en": "Invoices"},
                        "duration": "P10Y", "from": "end_of_financial_year",
                        "law": "Code de commerce L123-22",
                        "categories": ["transaction.invoice", "identity.name"]}]
data["rights"] = {"email": "dpo@boutique.example"}
open(sys.argv[1], "w", encoding="utf-8").write(yaml.safe_dump(data, allow_unicode=True))
PYTHON
"$PY" -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(open(sys.argv[2]).read())" \
  "$OUT/shop.db" examples/requests/shop.sql

export GARDIEN_POLICY=$OUT/policy.yaml
export GARDIEN_DATABASE_URL=sqlite:///$OUT/gardien.db
export GARDIEN_MASTER_KEY=$("$PY" -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())")
export GARDIEN_MAIL_OUTBOX=$OUT/outbox
export GARDIEN_DATASETS=$PWD/examples/requests/datasets
export GARDIEN_REQUESTS_DIR=$OUT/requests
export SHOP_DATABASE_URL=sqlite:///$OUT/shop.db

ref_of() { grep -o 'R-[A-Z0-9]\{8\}' | head -n 1; }
code_for() { grep -ho '\b[0-9]\{6\}\b' "$(ls -t "$GARDIEN_MAIL_OUTBOX"/*.eml | head -n 1)" | head -n 1; }

echo "== access request"
ACCESS=$($G request new --type access --subject marie@example.fr --channel portal | ref_of)
$G request send-code "$ACCESS"
$G request verify "$ACCESS" --code "$(code_for)"
$G request run "$ACCESS"

echo "== erasure request"
ERASURE=$($G request new --type erasure --subject marie@example.fr | ref_of)
$G request send-code "$ERASURE"
$G request verify "$ERASURE" --code "$(code_for)"
$G request run "$ERASURE" --dry-run
$G request run "$ERASURE"
$G request list --all
echo
echo "Open $OUT/requests/$ERASURE/erasure-report.html and $OUT/requests/$ACCESS/report.html."
