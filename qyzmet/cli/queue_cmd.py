"""``qyzmet queue simulate``: waits in a hall against the acts' queue norm, and the windows that meet it.

    qyzmet queue simulate --regulation mlsp-2021/personal-assistant --channel psc --arrivals 40/h --windows 3
    qyzmet queue simulate --office DEMO-PSC --arrivals 40/h --windows 3     # the strictest norm the office serves

The norm is the act's maximum waiting time for the channel (``queue.max_wait`` in the regulation file,
with its clause).  The mean service time is ``--service`` minutes; without it the act's maximum service
time is used, which overstates the load (a real mean is shorter) and so errs on the side of more windows.
Exit 0 when the windows given meet the norm for ``--target`` of visitors, 1 when they do not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from qyzmet.cli.common import UsageError, print_json
from qyzmet.core.durations import Unit
from qyzmet.core.loader import RegulationLoadError, shipped_catalog
from qyzmet.core.queueing import Hall, QueueInputError, erlang_c, simulate, windows_needed


@dataclass(frozen=True)
class Norm:
    """One channel's queue norm, as the act writes it."""

    regulation: str
    channel: str
    max_wait: float  # minutes
    max_service: float | None
    cite: str


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("queue", help="the acts' queue norms: simulate a hall's waits (SimPy, checked by Erlang-C)")
    qsub = p.add_subparsers(dest="queue_command", metavar="ACTION")
    qsub.required = True
    s = qsub.add_parser("simulate", help="predict waits against the norm and the windows needed to meet it")
    where = s.add_mutually_exclusive_group(required=True)
    where.add_argument("--office", help="office code (its service points decide which norms apply: the strictest)")
    where.add_argument("--regulation", metavar="ID", help="one regulation, with --channel")
    s.add_argument("--channel", default="psc", help="channel of --regulation (default psc)")
    s.add_argument("--arrivals", required=True, help="visitors per hour, e.g. 40/h or 40")
    s.add_argument("--windows", type=int, required=True, help="windows (operators) open")
    s.add_argument("--service", type=float, help="mean service time in minutes (default: the act's maximum)")
    s.add_argument("--target", type=float, default=0.95, help="share of visitors to serve within the norm (0.95)")
    s.add_argument("--visitors", type=int, default=50_000, help="simulated visitors measured (default 50000)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.set_defaults(func=run)
    r = qsub.add_parser("report", help="a day in an office's hall: waits and services against the acts' norms, "
                                       "and what Erlang-C predicts for the load measured")
    r.add_argument("--office", required=True, help="office code of a PSC hall")
    r.add_argument("--date", help="the day, YYYY-MM-DD (default: today, Almaty)")
    r.add_argument("--windows", type=int, help="windows for the prediction (default: those that called that day)")
    r.add_argument("--format", choices=("table", "json"), default="table")
    r.set_defaults(func=run_report)


def parse_arrivals(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*h)?\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"--arrivals: {text!r} is not a positive number of visitors per hour (e.g. 40/h)")
    return float(match.group(1))


def _minutes(duration) -> float | None:
    if duration is None or not duration.unit.is_time:
        return None
    return float(duration.amount * (60 if duration.unit is Unit.HOUR else 1))


def regulation_norms(reg_id: str, channel: str | None = None) -> list[Norm]:
    try:
        reg = shipped_catalog().get(reg_id)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    except RegulationLoadError as exc:
        raise UsageError(f"the catalog cannot be loaded: {exc.problems[0]}") from None
    norms = []
    for ch in reg.channels:
        wait = _minutes(ch.queue.max_wait) if ch.queue else None
        if (channel is None or ch.code == channel) and wait is not None:
            norms.append(Norm(reg.id, ch.code, wait, _minutes(ch.queue.max_service), ch.queue.cite or ch.cite or ""))
    if channel is not None and not norms:
        codes = ", ".join(c.code for c in reg.channels)
        raise UsageError(f"--channel: {reg.id} sets no maximum waiting time for channel {channel!r} "
                         f"(its channels: {codes})")
    return norms


def office_norms(code: str) -> list[Norm]:
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from qyzmet.core.loader import shipped_catalog as catalog
    from qyzmet.directory.models import Office, ServicePoint

    office = Office.objects.filter(code=code).first()
    if office is None:
        raise UsageError(f"--office: no office with code {code!r} (see the staff workspace or the admin)")
    known = {reg.id: reg for reg in catalog().regulations}
    norms = []
    for point in ServicePoint.objects.filter(office=office):
        reg = known.get(point.reg_id)
        if reg is None or point.route not in reg.routes:
            continue
        channel = reg.route(point.route).channel
        if any(c.code == channel and c.queue and c.queue.max_wait for c in reg.channels):
            norms += regulation_norms(reg.id, channel)
    if not norms:
        raise UsageError(f"--office: {code} takes no application through a channel whose act sets a waiting norm")
    return norms


def run(args: argparse.Namespace) -> int:
    arrivals = parse_arrivals(args.arrivals)
    norms = office_norms(args.office) if args.office else regulation_norms(args.regulation, args.channel)
    norm = min(norms, key=lambda n: n.max_wait)  # the hall must meet the strictest norm it serves
    service = args.service if args.service is not None else norm.max_service
    if service is None:
        raise UsageError("--service: the act gives no maximum service time for this channel; give the mean minutes")
    try:
        hall = Hall(arrivals, service, args.windows)
        exact = erlang_c(hall, norm.max_wait)
        run_ = simulate(hall, norm.max_wait, visitors=args.visitors, seed=args.seed) if hall.stable else None
        needed = windows_needed(arrivals, service, norm.max_wait, args.target)
    except QueueInputError as exc:
        raise UsageError(str(exc)) from None
    meets = exact.over_norm <= 1 - args.target
    result = {
        "norm": {"regulation": norm.regulation, "channel": norm.channel, "max_wait_minutes": norm.max_wait,
                 "cite": norm.cite},
        "arrivals_per_hour": arrivals, "service_minutes": service,
        "service_from": "--service" if args.service is not None else f"the act's maximum, {norm.cite}",
        "windows": args.windows, "utilisation": round(hall.utilisation, 4), "target": args.target,
        "erlang_c": _waits(exact), "simulation": _waits(run_) if run_ else None,
        "meets_norm": meets, "windows_needed": needed,
    }
    if args.format == "json":
        print_json(result)
    else:
        _table(result)
    return 0 if meets else 1


def _waits(w) -> dict:
    return {"p_wait": round(w.p_wait, 4), "mean_wait_minutes": round(w.mean_wait, 2) if w.mean_wait != float("inf")
            else None, "over_norm": round(w.over_norm, 4),
            "p90_wait_minutes": round(w.p90_wait, 2) if w.p90_wait != float("inf") else None,
            "visitors": w.visitors}


def _table(r: dict) -> None:
    n = r["norm"]
    print(f"norm: wait at most {n['max_wait_minutes']:g} min — {n['regulation']} ({n['channel']}) [{n['cite']}]")
    print(f"hall: {r['arrivals_per_hour']:g} visitors/h, {r['service_minutes']:g} min mean service "
          f"({r['service_from']}), {r['windows']} windows, utilisation {r['utilisation']:.0%}")
    if r["utilisation"] >= 1:
        print("the windows cannot keep up: the queue grows all day")
    print(f"{'':<12}{'wait at all':>12}{'mean wait':>12}{'90% wait ≤':>12}{'over norm':>12}")
    for label, w in (("Erlang-C", r["erlang_c"]), ("simulation", r["simulation"])):
        if w is None:
            continue
        mean = f"{w['mean_wait_minutes']:.1f} min" if w["mean_wait_minutes"] is not None else "∞"
        p90 = f"{w['p90_wait_minutes']:.1f} min" if w["p90_wait_minutes"] is not None else "∞"
        print(f"{label:<12}{w['p_wait']:>12.1%}{mean:>12}{p90:>12}{w['over_norm']:>12.1%}")
    verdict = "meets" if r["meets_norm"] else "does NOT meet"
    print(f"{r['windows']} windows {verdict} the norm for {r['target']:.0%} of visitors; "
          f"windows needed: {r['windows_needed']}")


def run_report(args: argparse.Namespace) -> int:
    """The day's visits (``qyzmet.hall``) against their norms, and the model for the day's load.

    Exit 0 when every measured visitor waited and was served within the norms, 1 when some were not,
    2 on bad input.
    """
    import datetime as dt

    from qyzmet.cli import django_setup

    if args.windows is not None and not 1 <= args.windows <= 99:
        raise UsageError("--windows must be between 1 and 99")
    django_setup.setup()
    django_setup.migrate()
    from django.utils import timezone

    from qyzmet.api.routes_hall import summary_out
    from qyzmet.core.calendar import to_local
    from qyzmet.directory.models import Office
    from qyzmet.hall.report import day_summary

    office = Office.objects.filter(code=args.office).first()
    if office is None:
        raise UsageError(f"--office: no office with code {args.office!r} (see the staff workspace or the admin)")
    now = to_local(timezone.now())
    try:
        day = dt.date.fromisoformat(args.date) if args.date else now.date()
    except ValueError:
        raise UsageError(f"--date: {args.date!r} is not a date (YYYY-MM-DD)") from None
    result = summary_out(office, day_summary(office, day, now, args.windows)).model_dump(mode="json")
    if args.format == "json":
        print_json(result)
    else:
        _report_table(result)
    return 0 if not result["violations"] else 1


def _share(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def _report_table(r: dict) -> None:
    print(f"{r['office']} {r['day']}: {r['visitors']} visitors, {r['served']} served, {r['no_show']} did not come, "
          f"{r['redirected']} redirected")
    print(f"within the waiting norm: {_share(r['within_wait'])}; within the service norm: "
          f"{_share(r['within_service'])}")
    print(f"{'service':<44}{'visitors':>9}{'mean wait':>11}{'90% ≤':>9}{'norm':>7}  clause")
    for s in r["services"]:
        mean = f"{s['mean_wait_minutes']:.1f}" if s["mean_wait_minutes"] is not None else "—"
        p90 = f"{s['p90_wait_minutes']:.1f}" if s["p90_wait_minutes"] is not None else "—"
        norm = s["norm"]["max_wait_minutes"]
        print(f"{s['service']:<44}{s['visitors']:>9}{mean:>11}{p90:>9}{norm if norm is not None else '—':>7}  "
              f"{s['norm']['cite']}")
    for v in r["violations"]:
        what = ("still waiting" if v["still_open"] else "waited") if v["kind"] == "wait" else \
            ("still in service" if v["still_open"] else "service")
        print(f"violation: {v['number']} {v['service']} {what} {v['took_minutes']:.1f} min > {v['norm_minutes']} min "
              f"[{v['cite']}]")
    load = r["load"]
    if load["arrivals_per_hour"] is None or load["mean_service_minutes"] is None:
        print("model: not enough measured yet (arrivals and finished services are needed)")
        return
    print(f"load: {load['arrivals_per_hour']:g} visitors/h over {load['open_hours']:g} opening hours, "
          f"{load['mean_service_minutes']:g} min mean service, {load['windows']} windows")
    if load["predicted_mean_wait_minutes"] is None and load["predicted_over_norm"] == 1.0:
        print("Erlang-C: the windows cannot keep up: the queue grows all day")
    elif load["predicted_p_wait"] is not None:
        print(f"Erlang-C: {load['predicted_p_wait']:.1%} wait at all, {load['predicted_mean_wait_minutes']:.1f} min "
              f"mean wait, {load['predicted_over_norm']:.1%} over the norm "
              f"({load['norm']['max_wait_minutes']} min, {load['norm']['cite']})")
    print(f"windows needed for 95% within the norm: {load['windows_needed']}")
