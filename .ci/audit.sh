#!/usr/bin/env bash
# Dependency audit: pip-audit against the packages installed in .venv.
#
#   bash .ci/audit.sh
#
# Prints every finding.  Exit status:
#   0  no known vulnerability; or every finding is listed as reviewed in
#      SECURITY.md ("Reviewed audit findings"); or the vulnerability service
#      could not be reached / knows none of the installed versions (a WARNING
#      is printed: then nothing was audited, which is not the same as safe);
#   1  a vulnerability that SECURITY.md does not list as reviewed;
#   2  the audit itself failed for another reason (the message says why).
#
# The vulnerability data comes from PyPI (pip-audit's default service).
# VRAAGBAAK_AUDIT_REPORT=FILE replays a saved `pip-audit --format json` report
# instead of running pip-audit, and VRAAGBAAK_SECURITY_MD=FILE reads the
# reviewed findings from another file (to check this script offline).
set -uo pipefail
cd "$(dirname "$0")/.."

BIN="${VENV_BIN:-.venv/bin}"
PY="$BIN/python"
[ -x "$PY" ] || { echo "audit: $PY not found; run 'make install' first" >&2; exit 2; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
REPORT="$WORK/report.json"

unreachable() {
    echo "audit: WARNING: $1" >&2
    echo "audit: WARNING: dependency audit skipped; nothing was checked. Run 'bash .ci/audit.sh' again when PyPI is reachable." >&2
    exit 0
}

if [ -n "${VRAAGBAAK_AUDIT_REPORT:-}" ]; then
    cp "$VRAAGBAAK_AUDIT_REPORT" "$REPORT" || exit 2
else
    if [ ! -x "$BIN/pip-audit" ]; then
        echo "audit: installing pip-audit into $BIN"
        "$BIN/pip" install -q pip-audit >"$WORK/install.log" 2>&1 \
            || unreachable "pip-audit could not be installed ($(tail -n 1 "$WORK/install.log"))"
    fi
    echo "audit: $("$BIN/pip-audit" --version) on $("$PY" --version) in $BIN/.."
    "$BIN/pip-audit" --progress-spinner off --skip-editable --desc on --aliases on \
        --format json --output "$REPORT" 2>"$WORK/stderr.log"
    status=$?
    if [ ! -s "$REPORT" ]; then
        # No report at all: pip-audit stopped before it could query anything.
        if grep -qiE "connect|timed? ?out|resolv|network|unreachable|temporary failure|max retries|ssl|proxy|ServiceError|HTTPError" "$WORK/stderr.log"; then
            unreachable "the vulnerability service could not be reached: $(grep -v '^\s*$' "$WORK/stderr.log" | tail -n 1)"
        fi
        echo "audit: pip-audit failed (exit status $status):" >&2
        tail -n 20 "$WORK/stderr.log" >&2
        exit 2
    fi
fi

"$PY" - "$REPORT" "${VRAAGBAAK_SECURITY_MD:-SECURITY.md}" <<'PY'
import json
import re
import sys
from pathlib import Path

report_path, security_path = Path(sys.argv[1]), Path(sys.argv[2])


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Reviewed findings: rows "| ID | package | versions | reason | ... |" of the table
# under the "## Reviewed audit findings" heading of SECURITY.md.
reviewed: dict[tuple[str, str], str] = {}
text = security_path.read_text(encoding="utf-8") if security_path.exists() else ""
section = re.search(r"^## Reviewed audit findings\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
for line in (section.group(1) if section else "").splitlines():
    cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
    if len(cells) < 4 or not re.match(r"^[A-Z][A-Z0-9]+-[\w-]+$", cells[0]):
        continue  # header, separator or prose
    if not cells[3]:
        print(f"audit: SECURITY.md lists {cells[0]} without a reason; it does not count as reviewed", file=sys.stderr)
        continue
    reviewed[(cells[0].upper(), norm(cells[1]))] = cells[3]

try:
    data = json.loads(report_path.read_text(encoding="utf-8"))
    deps = data["dependencies"]
except (ValueError, KeyError, TypeError) as err:
    print(f"audit: the pip-audit report cannot be read ({err})", file=sys.stderr)
    sys.exit(2)

skipped = [d for d in deps if d.get("skip_reason")]
audited = [d for d in deps if not d.get("skip_reason")]
findings = [(d, v) for d in audited for v in d.get("vulns", [])]
print(f"audit: {len(deps)} installed packages, {len(audited)} audited, {len(skipped)} could not be audited, "
      f"{len(findings)} known vulnerabilities")

open_findings = 0
used = set()
for dep, vuln in findings:
    ids = [vuln["id"], *vuln.get("aliases", [])]
    key = next(((i.upper(), norm(dep["name"])) for i in ids if (i.upper(), norm(dep["name"])) in reviewed), None)
    fix = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
    state = "reviewed in SECURITY.md" if key else "NOT REVIEWED"
    print(f"  {dep['name']}=={dep['version']}  {' / '.join(ids)}  (fixed in: {fix})  [{state}]")
    desc = " ".join((vuln.get("description") or "").split())
    if desc:
        print(f"      {desc[:300]}")
    if key:
        used.add(key)
    else:
        open_findings += 1

for key in sorted(set(reviewed) - used):
    print(f"audit: note: SECURITY.md lists {key[0]} ({key[1]}) as reviewed, but it was not found now; remove it "
          "when it no longer applies")

if skipped:
    reasons = sorted({re.sub(r":.*", "", d["skip_reason"]) for d in skipped})
    names = ", ".join(f"{d['name']}" for d in skipped[:12]) + (" ..." if len(skipped) > 12 else "")
    print(f"audit: WARNING: {len(skipped)} packages could not be audited ({'; '.join(reasons)}): {names}",
          file=sys.stderr)
if deps and not audited:
    print("audit: WARNING: the vulnerability service knows none of the installed versions (or could not be "
          "reached), so nothing was audited; see SECURITY.md, 'Dependency audit'.", file=sys.stderr)

if open_findings:
    print(f"audit: {open_findings} vulnerabilities are not reviewed: upgrade the package, or review the finding and "
          "list it under 'Reviewed audit findings' in SECURITY.md (ID, package, versions, reason).", file=sys.stderr)
    sys.exit(1)
if deps and not audited:
    print("audit: skipped (nothing could be audited); exit 0 by policy, see the warnings")
else:
    print("audit: ok" + (" (with reviewed exceptions)" if used else ""))
PY
