"""The replacement check applied to people: the ledger, intake, the Portal order and the recipient's view.

The rules are the regulation's ``entitlements:`` tables and :mod:`qyzmet.core.entitlement`; this module
reads a recipient's receipts and decisions from the database, runs the check on Almaty's date and says the
answer in the page's language.  At intake, a replacement asked for before its period has passed is refused
acceptance on the act's ground (annex 3 cl. 26, annex 4 cl. 25) with the date it becomes possible; any other
"no" (not among the categories the tables name, own expense) is accepted and shown to the specialist, who
decides it — the acts make that a refusal of the service, not of the documents.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cache

from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qyzmet.cases import workflow as cases
from qyzmet.cases.access import AccessDenied, Actor, Conflict
from qyzmet.cases.models import Case, Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core import entitlement as E
from qyzmet.core.calendar import to_local
from qyzmet.core.iin import InvalidIdentifier, parse_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.norms import Entitlements, Period
from qyzmet.core.regulation import Regulation
from qyzmet.entitlements.models import BodyDecision, Receipt, Request

GROUND = "replacement-too-early"
# The answers that mean "this replacement comes too early": the act refuses to accept such an application.
TOO_EARLY = ("too-early", "quantity-used", "lifetime-used", "other-set-held", "extended")
MAX_QUANTITY = 100_000


def regulations_with_norms() -> list[Regulation]:
    return sorted((r for r in shipped_catalog().regulations if r.entitlements), key=lambda r: r.id)


@cache
def services_with_norms() -> frozenset[str]:
    """The ids of the regulations with norm tables (the shipped catalog is read once per process)."""
    return frozenset(r.id for r in regulations_with_norms())


def norms_of(reg_id: str) -> tuple[Regulation, Entitlements]:
    try:
        reg = shipped_catalog().get(reg_id)
    except KeyError:
        raise Invalid("regulation", _("Unknown service “%(service)s”.") % {"service": reg_id}) from None
    if reg.entitlements is None:
        raise Invalid("regulation", _("“%(service)s” has no entitlement norms.") % {"service": reg_id})
    return reg, reg.entitlements


def check_iin(iin: str, today: dt.date, field_name: str = "iin") -> dt.date:
    """The IIN's birth date; a wrong IIN is an :class:`Invalid` naming the field."""
    try:
        return parse_iin(iin.strip(), today=today).birth_date
    except InvalidIdentifier as exc:
        raise Invalid(field_name, cases.invalid_iin(exc)) from None


def history(iin: str, reg_id: str) -> list[E.Received]:
    rows = Receipt.objects.filter(recipient_iin=iin, reg_id=reg_id).order_by("received_on", "id")
    return [E.Received(r.item, r.received_on, r.quantity, r.get_source_display()) for r in rows]


def decisions(iin: str, reg_id: str) -> list[E.Decision]:
    rows = BodyDecision.objects.filter(recipient_iin=iin, reg_id=reg_id)
    return [E.Decision(d.item, d.kind, d.decided_on, d.until, d.cite) for d in rows]  # type: ignore[arg-type]


def ledger(iin: str, reg_id: str) -> tuple[list[E.Received], list[E.Decision]]:
    """What the check counts from: the recipient's receipts and the decisions about them, under one service."""
    return history(iin, reg_id), decisions(iin, reg_id)


def answer(reg_id: str, iin: str, item: str, categories: list[str], on: dt.date, quantity: int = 1) -> E.Answer:
    _reg, ent = norms_of(reg_id)
    received, decided = ledger(iin, reg_id)
    return E.check(ent, item, categories, on, received, quantity=quantity, decisions=decided)


# --- words ---------------------------------------------------------------------------------------------

def period_text(period: Period | str | None) -> str:
    if period is None:
        return ""
    if isinstance(period, str):
        return _("the calendar year")
    if period.unit == "year":
        return ngettext("%(n)s year", "%(n)s years", period.amount) % {"n": period.amount}
    return ngettext("%(n)s month", "%(n)s months", period.amount) % {"n": period.amount}


def day_text(day: dt.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def item_name(ent: Entitlements, code: str, lang: str | None = None) -> str:
    item = ent.item(code)
    return item.name.get(lang or translation.get_language() or "kk") if item else code


def explain(ent: Entitlements, a: E.Answer) -> str:
    """The answer as a sentence a clerk can read out, with its clause."""
    since = day_text(a.since.on) if a.since else ""
    v = {"cite": a.cite, "earliest": day_text(a.earliest), "since": since, "period": period_text(a.period),
         "used": a.used, "limit": a.limit, "quantity": a.quantity,
         "other": item_name(ent, a.blocked_by) if a.blocked_by else "", "percent": (a.norm.discount_percent
                                                                                  if a.norm else None)}
    texts = {
        "unknown-item": _("The norm tables name no such item (%(cite)s)."),
        "not-entitled": _("The norm tables do not provide it to the recipient's categories (%(cite)s)."),
        "own-expense": _("Provided to the recipient's categories only at their own expense (%(cite)s)."),
        "first": _("May receive it: nothing of it has been received (%(cite)s)."),
        "period-passed": _("May receive it: %(period)s from the receipt of %(since)s have passed (%(cite)s)."),
        "quantity-left": _("May receive %(quantity)s: %(used)s of %(limit)s already received in %(period)s "
                           "(%(cite)s)."),
        "no-period": _("May receive it: the act sets no replacement period for it (%(cite)s)."),
        "too-early": _("Not before %(earliest)s: received on %(since)s, and not replaced earlier than %(period)s "
                       "from receipt (%(cite)s)."),
        "quantity-used": _("Not before %(earliest)s: %(used)s of %(limit)s already received in %(period)s "
                           "(%(cite)s)."),
        "lifetime-used": _("Not again: it is given once in a lifetime and was received on %(since)s (%(cite)s)."),
        "other-set-held": _("Not before %(earliest)s: “%(other)s”, received on %(since)s, is still in its period, "
                            "and the act gives one set or the other (%(cite)s)."),
        "early-decision": _("May receive it before the period ends, by the decision recorded (%(cite)s)."),
        "extended": _("Not before %(earliest)s: the period of the item held was extended (%(cite)s)."),
    }
    text = texts[a.reason] % v
    if a.reason == "quantity-used" and a.earliest is None:
        text = _("Not provided: more than %(limit)s in %(period)s is asked for (%(cite)s).") % v
    if a.allowed and a.norm and a.norm.payment == "discount" and a.norm.discount_percent:
        text += " " + _("At a %(percent)s %% discount.") % v
    return text


# --- the item an application asks for ----------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRequest:
    item: str
    quantity: int = 1
    categories: tuple[str, ...] = ()
    findings: dict = field(default_factory=dict)


def validate(ent: Entitlements, req: ItemRequest) -> None:
    if not req.item:
        raise Invalid("entitlement.item", _("Choose the item the IPR measure calls for."))
    if ent.item(req.item) is None:
        known = ", ".join(i.code for i in ent.items)
        raise Invalid("entitlement.item", _("Unknown item “%(item)s” (items: %(known)s).")
                      % {"item": req.item, "known": known})
    check_quantity(req.quantity, "entitlement.quantity")
    unknown = [c for c in req.categories if ent.category(c) is None]
    if unknown:
        known = ", ".join(c.code for c in ent.categories)
        raise Invalid("entitlement.categories", _("Unknown recipient category “%(category)s” (categories: "
                                                  "%(known)s).") % {"category": unknown[0], "known": known})


def intake(actor: Actor, app: cases.Application, req: ItemRequest | None, now: dt.datetime) -> Case:
    """Intake at the counter for a service with norm tables: the case, the item asked for and its check.

    A replacement asked for too early is refused acceptance at once, on the act's ground, with the day it
    becomes possible in the note (and so on the receipt of refusal)."""
    if app.regulation not in services_with_norms():
        return cases.intake(actor, app, now)  # it names an unknown service itself
    reg, ent = norms_of(app.regulation)
    if req is None:
        raise Invalid("entitlement.item", _("Choose the item the IPR measure calls for."))
    validate(ent, req)
    now = to_local(now)
    born = check_iin(app.iin, now.date(), "applicant.iin")
    cats = E.recipient_categories(ent, req.categories, applicant_category=app.category,
                                  age=cases.age(born, now.date()))
    a = answer(reg.id, app.iin, req.item, cats, now.date(), req.quantity)
    if a.reason == "quantity-used" and a.earliest is None:
        # More than the norm gives in a whole period: not a replacement asked for too early, a wrong quantity.
        raise Invalid("entitlement.quantity", explain(ent, a))
    with transaction.atomic():
        case = cases.intake(actor, app, now)
        Request.objects.create(case=case, item=req.item, quantity=req.quantity, categories=cats,
                               checked_on=now.date(), allowed=a.allowed, reason=a.reason, earliest=a.earliest,
                               cite=a.cite, answer=a.as_dict(), findings=req.findings)
        ground = reg.acceptance_refusal_ground(GROUND)
        if not a.allowed and a.reason in TOO_EARLY and ground is not None:
            task = Task.objects.get(case=case, step=cases.accepting_step(reg.route(case.route)).n,
                                    closed_at__isnull=True)
            with translation.override(case.language):
                note = explain(ent, a)
            case = cases.refuse_acceptance(actor, task.pk, GROUND, note, now)
    return case


def request_of(case_id: int) -> Request | None:
    """The item the application asked for (None: a proactive case, or a service without norm tables)."""
    return Request.objects.filter(case_id=case_id).first()


# --- the ledger -------------------------------------------------------------------------------------------

def require_writer(actor: Actor, reg_id: str) -> None:
    """The ledger of a service is written by the specialist or head of an office that provides it: a false
    receipt would refuse the recipient's next application for years."""
    from qyzmet.directory.models import ServicePoint
    from qyzmet.portal.workflow import require_staff

    require_staff(actor)
    if not ServicePoint.objects.filter(reg_id=reg_id, provider_id=actor.office_id).exists():
        raise AccessDenied(_("The ledger of this service is kept by the departments that provide it."))


def form_quantity(raw: str, field_name: str = "quantity") -> int:
    """A quantity typed in a form (empty: 1); anything but plain digits is an :class:`Invalid`."""
    raw = raw.strip() or "1"
    if not re.fullmatch(r"[0-9]{1,6}", raw):
        raise Invalid(field_name, _("The quantity is a whole number from 1."))
    return int(raw)


def check_quantity(quantity: int, field_name: str = "quantity") -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(field_name, _("The quantity is a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY})


def record_receipt(actor: Actor | None, *, iin: str, reg_id: str, item: str, received_on: dt.date,
                   quantity: int = 1, note: str = "", now: dt.datetime, order=None, case=None) -> Receipt:
    """An item received: from a Portal order's handover, or entered by the department from the documents
    of an earlier receipt (before Qyzmet, or another office)."""
    _reg, ent = norms_of(reg_id)
    if order is None:
        require_writer(actor, reg_id)  # type: ignore[arg-type]
    today = to_local(now).date()
    check_iin(iin, today)
    if ent.item(item) is None:
        raise Invalid("item", _("Unknown item “%(item)s” (items: %(known)s).")
                      % {"item": item, "known": ", ".join(i.code for i in ent.items)})
    if received_on > today:
        raise Invalid("received_on", _("The date of receipt cannot be in the future."))
    check_quantity(quantity)
    if order is None and not note.strip():
        raise Invalid("note", _("Say what the earlier receipt is known from (a document, an act)."))
    return Receipt.objects.create(
        recipient_iin=iin.strip(), reg_id=reg_id, item=item, quantity=quantity, received_on=received_on,
        source=Receipt.Source.ORDER if order is not None else Receipt.Source.RECORD, order=order, case=case,
        note=note.strip(), entered_by=_user(actor), office_id=actor.office_id if actor else None, recorded_at=now)


def record_decision(actor: Actor, *, iin: str, reg_id: str, item: str, kind: str, decided_on: dt.date,
                    until: dt.date | None, reason: str, now: dt.datetime) -> BodyDecision:
    reg, ent = norms_of(reg_id)
    require_writer(actor, reg_id)
    today = to_local(now).date()
    check_iin(iin, today)
    found = ent.item(item)
    if found is None:
        raise Invalid("item", _("Unknown item “%(item)s”.") % {"item": item})
    rule = next((r for r in ent.rules_for(item) if r.kind == kind), None)
    if rule is None:
        raise Invalid("kind", _("The act allows no such decision for this item."))
    if decided_on > today:
        raise Invalid("decided_on", _("The date of the decision cannot be in the future."))
    if kind == "extension" and (until is None or until <= decided_on):
        raise Invalid("until", _("An extension gives the date until which the item is used."))
    if not reason.strip():
        raise Invalid("reason", _("Give the decision's reason and number."))
    return BodyDecision.objects.create(
        recipient_iin=iin.strip(), reg_id=reg.id, item=item, kind=kind, decided_on=decided_on,
        until=until if kind == "extension" else None, reason=reason.strip(), cite=rule.cite or "",
        entered_by=_user(actor), office_id=actor.office_id, recorded_at=now)


def _user(actor: Actor | None):
    return cases._user(actor) if actor is not None else None


# --- what a recipient is entitled to now -----------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """One item a recipient received (or asked for), and when the next one may come."""

    reg: Regulation
    item: str
    name: str
    answer: E.Answer
    text: str
    last: dt.date | None


def standing(iin: str, on: dt.date, lang: str | None = None) -> list[Standing]:
    """For every item (family) the recipient received or asked for: may they get it on ``on``, or from when."""
    lang = lang or translation.get_language() or "kk"
    try:
        age_on: int | None = cases.age(parse_iin(iin, today=on).birth_date, on)
    except InvalidIdentifier:
        age_on = None
    asked = {(r.case.regulation.reg_id, r.item): r.categories
             for r in Request.objects.filter(case__applicant_iin=iin).select_related("case__regulation")}
    received = {(r.reg_id, r.item) for r in Receipt.objects.filter(recipient_iin=iin)}
    out: list[Standing] = []
    seen: set[tuple[str, str]] = set()
    ledgers: dict[str, tuple[list[E.Received], list[E.Decision]]] = {}
    for reg_id, code in sorted(received | set(asked)):
        try:
            reg, ent = norms_of(reg_id)
        except Invalid:
            continue
        item = ent.item(code)
        if item is None:
            continue
        key = (reg_id, item.family or item.code)
        if key in seen:
            continue
        seen.add(key)
        # The categories the recipient's application for the item (else for the service) recorded.
        cats = asked.get((reg_id, code)) or next((c for (r, _i), c in asked.items() if r == reg_id), [])
        # The categories as of ``on`` (any recipient's category is added by recipient_categories; a child's only
        # while the IIN says under 18).
        minor = {c.code for c in ent.categories if c.minor}
        cats = E.recipient_categories(ent, [c for c in cats if c not in minor], age=age_on)
        if reg_id not in ledgers:
            ledgers[reg_id] = ledger(iin, reg_id)
        received_items, decided = ledgers[reg_id]
        a = E.check(ent, code, cats, on, received_items, decisions=decided)
        last = a.since.on if a.since else None
        with translation.override(lang):
            out.append(Standing(reg, code, item.name.get(lang), a, explain(ent, a), last))
    return out


def order_check(entry, quantity: int | None, on: dt.date) -> E.Answer | None:
    """The check on a Portal order: the item the application asked for, on the day the order is formed
    (None: the application named no item — a proactive one, or a service without norm tables)."""
    req = request_of(entry.case_id)
    if req is None:
        return None
    if quantity is not None:
        check_quantity(quantity)
    _reg, ent = norms_of(entry.reg_id)
    family = E.family_of(ent, ent.item(req.item)) if ent.item(req.item) else {req.item}
    from qyzmet.portal.models import Order

    if per_piece(ent, req.item) and Order.objects.filter(entry__recipient_iin=entry.recipient_iin, reg_id=entry.reg_id,
                                                         item__in=family, state__in=Order.ACTIVE).exists():
        raise Conflict(_("An order for this item is already with a supplier: the next one is checked after it is "
                         "handed over."))
    a = answer(entry.reg_id, entry.recipient_iin, req.item, req.categories, on, quantity or req.quantity)
    if not a.allowed:
        raise Conflict(explain(ent, a))
    return a


# --- the case page: the item asked for, its check, the indications ------------------------------------------

FINDING_NUMBERS = {"acuity": float, "field_degrees": int, "hearing_degree": int, "weight": int}


def findings_of(req: Request, age: int | None) -> E.Findings:
    f = req.findings or {}
    return E.Findings(conditions=frozenset(f.get("conditions", ())), categories=frozenset(req.categories),
                      age=age, acuity=f.get("acuity"), field_degrees=f.get("field_degrees"),
                      hearing_degree=f.get("hearing_degree"), weight=f.get("weight"),
                      working_age=bool(f.get("working_age")), school_age=bool(f.get("school_age")))


def record_findings(actor: Actor, case: Case, data: dict[str, object]) -> Request:
    """The specialist records what the MSE found, for the indications check of the item asked for."""
    from qyzmet.portal.workflow import require_staff

    require_staff(actor)
    req = request_of(case.pk)
    if req is None:
        raise Conflict(_("This application asks for no item of the norm tables."))
    _reg, ent = norms_of(case.regulation.reg_id)
    known = {c.code for c in ent.conditions}
    conditions = [str(c) for c in data.get("conditions", ())]  # type: ignore[union-attr]
    unknown = [c for c in conditions if c not in known]
    if unknown:
        raise Invalid("conditions", _("Unknown finding “%(code)s”.") % {"code": unknown[0]})
    out: dict[str, object] = {"conditions": sorted(set(conditions)),
                              "working_age": bool(data.get("working_age")), "school_age": bool(data.get("school_age"))}
    for name, kind in FINDING_NUMBERS.items():
        raw = str(data.get(name) or "").strip().replace(",", ".")
        if not raw:
            continue
        try:
            value = kind(raw)
        except ValueError:
            raise Invalid(name, _("Enter a number.")) from None
        out_of_range = (name == "hearing_degree" and not 1 <= value <= 4) or (name == "acuity" and value > 2)
        if not math.isfinite(value) or value < 0 or out_of_range:
            raise Invalid(name, _("The number is out of range."))
        out[name] = value
    req.findings = out
    req.save(update_fields=["findings"])
    return req


@dataclass(frozen=True)
class CasePanel:
    request: Request
    item_name: str
    categories: list[str]
    at_intake: str
    at_intake_allowed: bool
    today: str | None
    flags: list[E.Flag]
    conditions: list  # the findings the item's rows name, for the form
    recorded: bool


def case_panel(case: Case, today: dt.date) -> CasePanel | None:
    req = request_of(case.pk)
    if req is None:
        return None
    reg, ent = norms_of(case.regulation.reg_id)
    lang = translation.get_language() or "kk"
    received, decided = ledger(case.applicant_iin, reg.id)
    at_intake, now = (E.check(ent, req.item, req.categories, day, received, quantity=req.quantity,
                              decisions=decided) for day in (req.checked_on, today))
    born = parse_iin(case.applicant_iin, today=today).birth_date
    recorded = bool(req.findings)
    flags = E.indications(ent, req.item, findings_of(req, cases.age(born, today))) if recorded else \
        [f for f in E.indications(ent, req.item, E.Findings()) if f.kind == "note"]
    codes = {c for row in ent.indications_for(req.item) for c in (
        *row.ruled_out_by, *row.relative, *((row.requires.any_of + row.requires.all_of) if row.requires else ()))}
    conditions = [c for c in ent.conditions if c.code in codes]
    names = [c.name.get(lang) for c in ent.categories if c.code in req.categories]
    return CasePanel(req, item_name(ent, req.item, lang), names, explain(ent, at_intake), at_intake.allowed,
                     explain(ent, now) if today != req.checked_on else None, flags, conditions, recorded)


def flag_text(ent: Entitlements, flag: E.Flag) -> str:
    """A flag of the indications check in the page's language, naming the row."""
    lang = translation.get_language() or "kk"

    def name(code: str) -> str:
        c = ent.condition(code) or ent.category(code)
        return c.name.get(lang) if c else code

    def need(what: str, value: str) -> str:
        if what == "category":
            return _("category: %(names)s") % {"names": " / ".join(name(c) for c in value.split(","))}
        if what == "age-min":
            return _("age at least %(n)s") % {"n": value}
        if what == "age-max":
            return _("age at most %(n)s") % {"n": value}
        if what == "sight":
            acuity, field_text = value.split("|")
            parts = [_("visual acuity %(v)s") % {"v": acuity}] if acuity else []
            parts += [_("visual field %(v)s") % {"v": field_text}] if field_text else []
            return _(" or ").join(parts)
        if what == "hearing":
            return _("hearing loss of degree %(n)s or more") % {"n": value}
        if what == "weight":
            return _("weight at least %(n)s kg") % {"n": value}
        if what == "working-age":
            return _("working age")
        if what == "school-age":
            return _("school age")
        if what == "any-of":
            return _("one of: %(names)s") % {"names": "; ".join(name(c) for c in value.split(","))}
        return name(value)

    v = {"row": flag.row, "cite": flag.cite}
    if flag.kind == "unsupported":
        return _("Not supported by the indications of row %(row)s (%(cite)s): needs %(needs)s.") % {
            **v, "needs": "; ".join(need(w, x) for w, x in flag.unmet)}
    if flag.kind == "ruled-out":
        return _("Ruled out by a contraindication of row %(row)s (%(cite)s): %(found)s.") % {
            **v, "found": "; ".join(name(c) for c in flag.found)}
    if flag.kind == "relative":
        return _("A relative contraindication of row %(row)s (%(cite)s): %(found)s.") % {
            **v, "found": "; ".join(name(c) for c in flag.found)}
    row = next((r for r in ent.indications if r.row == flag.row and r.cite == flag.cite), None)
    return (row.indications.get(lang) if row else "") + f" ({flag.cite})"


def per_piece(ent: Entitlements, item: str) -> bool:
    """An item given one at a time within its period (a wheelchair, a prosthesis), not a yearly stock."""
    found = ent.item(item)
    return bool(found and all(n.quantity == 1 for n in found.norms))


def handed_over(order, now: dt.datetime) -> Receipt | None:
    """The supplier recorded the order as done: the item is the recipient's from today, in the ledger."""
    if not order.item:
        return None
    entry = order.entry
    return record_receipt(None, iin=entry.recipient_iin, reg_id=order.reg_id, item=order.item,
                          received_on=to_local(now).date(), quantity=order.quantity or 1, now=now, order=order,
                          case=entry.case, note=order.number)


@dataclass(frozen=True)
class OrderNorm:
    text: str
    counted: bool  # the norm counts pieces (a yearly quantity): the recipient says how many


def order_norm(entry, on: dt.date) -> OrderNorm | None:
    """What the order page tells the recipient of the item's norm before they order."""
    req = request_of(entry.case_id)
    if req is None:
        return None
    _reg, ent = norms_of(entry.reg_id)
    a = answer(entry.reg_id, entry.recipient_iin, req.item, req.categories, on, req.quantity)
    name = item_name(ent, req.item)
    return OrderNorm(f"{name}: {explain(ent, a)}", bool(a.limit and a.limit > 1))


def refusal_reason(case: Case, ground, lang: str) -> str:
    """The receipt of refusal for a replacement asked for too early, in the paper's language: the act's ground
    and, from the check made at intake, the day it becomes possible."""
    from qyzmet.documents.facts import cite_in

    text = f"{ground.text.get(lang)} ({cite_in(ground.cite or '', lang)})"
    req = request_of(case.pk)
    if req is None:
        return text
    _reg, ent = norms_of(case.regulation.reg_id)
    a = answer(case.regulation.reg_id, case.applicant_iin, req.item, req.categories, req.checked_on, req.quantity)
    with translation.override(lang):
        return f"{text}: {item_name(ent, req.item, lang)}. {cite_in(explain(ent, a), lang)}"
