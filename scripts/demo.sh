#!/usr/bin/env bash
# The main job on the embedded default: check each example policy (the linter's findings are the
# gaps of real policies, so exit status 1 is expected and reported, not fatal) and write its notice
# (French and English, HTML and Markdown) and its art. 30 register (CSV and HTML) to out/.
set -uo pipefail
cd "$(dirname "$0")/.."
G=.venv/bin/gardien
mkdir -p out
status=0
for policy in examples/*.yaml; do
  name=$(basename "$policy" .yaml)
  echo "== $name"
  $G check "$policy" | tail -n 1
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ge 2 ]; then echo "   invalid policy: $policy"; status=2; continue; fi
  for lang in fr en; do
    $G notice "$policy" --lang "$lang" --format html -o "out/$name.notice.$lang.html" || status=2
    $G notice "$policy" --lang "$lang" --format md -o "out/$name.notice.$lang.md" || status=2
  done
  $G register "$policy" --format csv -o "out/$name.register.csv" || status=2
  $G register "$policy" --format html -o "out/$name.register.html" || status=2
done
echo
echo "Notices and registers written to out/ (open out/001-boutique.notice.fr.html in a browser)."
exit $status
