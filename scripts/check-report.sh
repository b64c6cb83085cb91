#!/usr/bin/env bash
# Renders a bragg report.html in headless Chromium and fails when the page logs anything to the
# console (a report has no scripts, so any message is a fault), fetches anything from outside the
# file (every picture must be inline), or renders blank.
#
#   scripts/check-report.sh runs/demo/report.html
#
# Needs Chromium (Debian: apt-get install chromium) and Java 17. Exit 0 = OK, 1 = the report is
# faulty, 3 = Chromium is not installed (callers such as .ci/run may treat 3 as "skipped").
set -euo pipefail

report="${1:?usage: scripts/check-report.sh <report.html>}"
[ -f "$report" ] || { echo "check-report: $report does not exist" >&2; exit 1; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chrome="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$chrome" ]; then
  echo "check-report: no chromium on PATH (apt-get install chromium); not checked" >&2
  exit 3
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
# A fresh profile, no GPU, no sandbox (containers run as root), and nothing that phones home, so the
# only network traffic would come from the page itself.
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run
       --disable-extensions --disable-sync --user-data-dir="$work/profile" --enable-logging=stderr --v=0)

fail() { echo "check-report: FAIL $report: $*" >&2; exit 1; }

timeout 120 "$chrome" "${flags[@]}" --dump-dom "$url" > "$work/dom.html" 2> "$work/dom.log" \
  || fail "chromium --dump-dom exited with $? (log: $(tail -3 "$work/dom.log"))"
if grep -q "CONSOLE" "$work/dom.log"; then
  fail "console messages: $(grep CONSOLE "$work/dom.log" | sed 's/^.*CONSOLE[^]]*] //' | head -5)"
fi
[ -s "$work/dom.html" ] || fail "empty DOM"
grep -q "<body" "$work/dom.html" || fail "no <body> in the rendered DOM"
if grep -Eoq '(src|href)="(https?:)?//' "$work/dom.html"; then
  fail "fetches from the network: $(grep -Eo '(src|href)="(https?:)?//[^"]*' "$work/dom.html" | head -3)"
fi
if grep -Eo '<img [^>]*src="[^"]*' "$work/dom.html" | grep -qv 'src="data:'; then
  fail "a picture is not inline: $(grep -Eo '<img [^>]*src="[^"]*' "$work/dom.html" | grep -v 'src="data:' | head -1)"
fi
text_chars=$(sed -e 's/<[^>]*>//g' "$work/dom.html" | tr -d '[:space:]' | wc -c)
[ "$text_chars" -gt 50 ] || fail "blank page: $text_chars characters of text"

timeout 120 "$chrome" "${flags[@]}" --hide-scrollbars --window-size=1200,1600 \
  --screenshot="$work/shot.png" "$url" > "$work/shot.log" 2>&1 \
  || fail "chromium --screenshot exited with $? (log: $(tail -3 "$work/shot.log"))"
[ -s "$work/shot.png" ] || fail "no screenshot written"
stats="$(java "$here/PngStats.java" "$work/shot.png")" || fail "screenshot: $stats"
if [ -n "${CHECK_REPORT_KEEP:-}" ]; then
  cp "$work/shot.png" "$CHECK_REPORT_KEEP"
fi

imgs=$(grep -o '<img ' "$work/dom.html" | wc -l)
svgs=$(grep -o '<svg ' "$work/dom.html" | wc -l)
echo "check-report: OK $report ($imgs pictures, $svgs charts, $text_chars characters of text; screenshot $stats)"
