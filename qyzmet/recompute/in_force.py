"""Which version of a regulation a new case follows, and the lint rule on versions (pure: no Django).

Several files may carry one regulation id (``<id>.yaml``, ``<id>.v2.yaml``, …), each with its act's in-force
dates (``act.in_force_from``/``in_force_to``, the last day included; empty: unknown/open).  A new case
follows the version in force on its submission day; running cases stay pinned to theirs (``Case.regulation``)
unless ``qyzmet catalog migrate`` moves them.  The rule, in order:

1. one version only: that one, whatever its dates (the act as encoded; many acts' dates are unknown);
2. the version(s) whose range contains the day — the highest version number if ranges overlap (which the
   linter reports as an error, so the catalog never ships that);
3. none contains the day: the latest version that had come into force by then (a repealed act whose
   successor is not encoded keeps applying rather than no act at all);
4. the day is before every version: the earliest one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from qyzmet.core.lint import Finding
from qyzmet.core.regulation import Regulation


def covers(reg: Regulation, day: dt.date) -> bool:
    act = reg.act
    return (act.in_force_from is None or act.in_force_from <= day) and (act.in_force_to is None or
                                                                          day <= act.in_force_to)


def in_force(versions: Sequence[Regulation], day: dt.date) -> Regulation:
    """The version a case submitted on ``day`` follows (see the module's rule)."""
    if not versions:
        raise KeyError("no version given")
    if len(versions) == 1:
        return versions[0]
    matching = [r for r in versions if covers(r, day)]
    if matching:
        return max(matching, key=lambda r: r.version)
    started = [r for r in versions if r.act.in_force_from is None or r.act.in_force_from <= day]
    if started:
        return max(started, key=lambda r: (r.act.in_force_from or dt.date.min, r.version))
    return min(versions, key=lambda r: (r.act.in_force_from or dt.date.min, r.version))


def _range(reg: Regulation) -> str:
    act = reg.act
    return f"{act.in_force_from or '…'} – {act.in_force_to or '…'}"


def version_findings(regulations: Iterable[Regulation]) -> list[Finding]:
    """Errors on the catalog's versions of one id: two files with one version number, and in-force ranges that
    overlap (a submission day would have two acts), each naming both files."""
    by_id: dict[str, list[Regulation]] = defaultdict(list)
    for reg in regulations:
        by_id[reg.id].append(reg)
    findings = []
    for reg_id, regs in sorted(by_id.items()):
        regs.sort(key=lambda r: (r.version, r.source_path))
        for i, a in enumerate(regs):
            for b in regs[i + 1:]:
                if a.version == b.version:
                    findings.append(Finding(reg_id, "error", "duplicate-version",
                                            f"{a.source_path} and {b.source_path} are both version {a.version}: "
                                            "give the later text the next version number (<id>.vN.yaml)",
                                            b.act.cite, "version"))
                    continue
                lo_a, hi_a = a.act.in_force_from or dt.date.min, a.act.in_force_to or dt.date.max
                lo_b, hi_b = b.act.in_force_from or dt.date.min, b.act.in_force_to or dt.date.max
                if lo_a <= hi_b and lo_b <= hi_a:
                    findings.append(Finding(reg_id, "error", "overlapping-versions",
                                            f"{a.source_path} (v{a.version}, in force {_range(a)}) and "
                                            f"{b.source_path} (v{b.version}, in force {_range(b)}) overlap: a case "
                                            "submitted in both ranges would have two acts; end the earlier one "
                                            "(act.in_force_to) the day before the later one starts",
                                            b.act.cite, "act.in_force_from"))
    return findings
