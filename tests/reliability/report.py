"""Print the reliability table from the figures the tests recorded, plus the pass/fail
count of every test file that ran (read from pytest's JUnit XML).

    python -m tests.reliability.report FIGURES.jsonl [JUNIT.xml]

Exits 1 when a gate figure (leaks, executions, lost, duplicated, 5xx) is not zero or
when no figure was recorded at all.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

GATES = (
    "leak",
    "execution",
    "lost",
    "duplicated",
    "5xx",
    "outside",
    "injection",
    "failed",
    "accepted on foreign",
    "stopped only by csp",
)


def figures(path: Path) -> dict[tuple[str, str], float]:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    if path.exists():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            totals[(row["area"], row["metric"])] += row["value"]
    return dict(totals)


def test_files(junit: Path | None) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    if junit is None or not junit.exists():
        return {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314
        name = case.get("classname", "").replace(".", "/") + ".py"
        if case.find("failure") is not None or case.find("error") is not None:
            counts[name][1] += 1
        elif case.find("skipped") is not None:
            counts[name][2] += 1
        else:
            counts[name][0] += 1
    return dict(counts)


def main(argv: list[str]) -> int:
    totals = figures(Path(argv[1]))
    files = test_files(Path(argv[2]) if len(argv) > 2 else None)
    out = sys.stdout
    out.write("\nReliability and security figures\n")
    out.write(f"{'area':<18} {'figure':<36} {'value':>10}  gate\n")
    out.write("-" * 72 + "\n")
    bad = []
    for (area, metric), value in sorted(totals.items()):
        gate = any(word in metric.lower() for word in GATES)
        verdict = ("ok" if value == 0 else "FAIL") if gate else ""
        if gate and value:
            bad.append(f"{area}: {metric} = {value:g}")
        out.write(f"{area:<18} {metric:<36} {value:>10g}  {verdict}\n")
    if files:
        out.write("\nTest files          passed  failed  skipped\n")
        for name, (passed, failed, skipped) in sorted(files.items()):
            out.write(f"  {name:<52} {passed:>4} {failed:>6} {skipped:>6}\n")
            if failed:
                bad.append(f"{name}: {failed} failed")
    if not totals:
        bad.append("no figures were recorded")
    out.write("\n" + ("FAILED: " + "; ".join(bad) if bad else "All gates at 0.") + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
