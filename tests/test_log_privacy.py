"""Personal data never reaches a log line: a demo-like run with every logger at DEBUG, written to a file the
test then greps for IINs (12 digits that pass the IIN check), phone numbers, applicants' names and HIV
results.

The run: the demo's simulated cases over a PSC act, the HIV act and a proactive act (their SMS sent
through the file gateway); then what people do through the API and the pages, wrong inputs included
(422s, 403s and 404s are logged by ``django.request`` with their path): applications with an IIN, a name
and a phone, a look-up of the ledger by IIN, the citizen's look-up by number and IIN, the HIV code holder's
look-up, staff sign-in with a wrong password, an inbound SMS with a wrong secret.

The logging configuration is the production one (``settings.LOGGING``) with a file handler added beside the
console one, carrying the same filters: what the test proves holds for the handlers Qyzmet configures.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import logging.config
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.cases import workflow
from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case, Task
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import InvalidIdentifier, make_iin, parse_iin

pytestmark = pytest.mark.django_db

PSC = "aktogay-2013-psc"
POLYCLINIC = "mangystau-2015-polyclinic"
HIV = "mangystau-2015/hiv-testing"
ACTS = ("aktogay-2013/prosthetic-docs", HIV, "mlsp-2021/technical-aids")
OURS_IIN = make_iin(dt.date(1984, 7, 9), "male", 4321)
OURS_NAME = "Төлеуов Бауыржан Серікұлы"
OURS_PHONE = "+7 705 555 12 34"
HIV_WORDS = ("certificate-positive", "certificate-negative", "positive result", "negative result", "оң нәтиже",
             "теріс нәтиже", "положительный результат", "отрицательный результат")


@pytest.fixture
def log_file(tmp_path: Path):
    """Every logger at DEBUG into a file, through the production handlers' filters."""
    path = tmp_path / "qyzmet.log"
    config = copy.deepcopy(django_settings.LOGGING)
    file_handler = {"class": "logging.FileHandler", "filename": str(path), "encoding": "utf-8", "level": "DEBUG"}
    if "filters" in config["handlers"]["console"]:
        file_handler["filters"] = config["handlers"]["console"]["filters"]
    config["handlers"]["file"] = file_handler
    config["root"] = {"handlers": ["file"], "level": "DEBUG"}
    config["loggers"] = {name: {"level": "DEBUG", "handlers": [], "propagate": True}
                         for name in ("django", "django.request", "django.security", "django.template", "qyzmet",
                                      "waitress", "py.warnings")}
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    yield path
    logging.captureWarnings(False)
    for handler in logging.root.handlers:
        handler.close()
    logging.config.dictConfig(django_settings.LOGGING)


def api(username: str):
    from qyzmet.api.tokens import create_token

    _, token = create_token(get_user_model().objects.get(username=username), "log privacy")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    def call(method: str, path: str, body=None, **params):
        if method == "get":
            return client.get(f"/api/v1{path}", params)
        return client.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json")

    return call


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, closed_at__isnull=True)


def hiv_case_with_a_positive_result() -> Case:
    def who(role: str):
        return actor_for(get_user_model().objects.get(username=f"{POLYCLINIC}.{role}"))

    at = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
    anonymous = workflow.Application(regulation=HIV, iin="", category="anonymous")
    case = workflow.intake(who("counselling-doctor"), anonymous, at)
    case = workflow.complete(who("counselling-doctor"), open_task(case).pk, workflow.Completion(),
                             at + dt.timedelta(minutes=15))
    case = workflow.complete(who("blood-sampling-nurse"), open_task(case).pk, workflow.Completion(),
                             at + dt.timedelta(minutes=40))
    return workflow.complete(who("laboratory"), open_task(case).pk,
                             workflow.Completion(decision="positive", result="certificate-positive"),
                             at + dt.timedelta(days=1))


def a_demo_like_run(tmp_path: Path) -> None:
    from qyzmet import demo
    from qyzmet.core.loader import shipped_catalog

    regulations = [r for r in shipped_catalog().regulations if r.id in ACTS]
    demo.run_demo(regulations, 18, seed=5, open_ratio=0.3, sms_file=tmp_path / "sms.jsonl")

    consultant = api(f"{PSC}.psc-consultant")
    body = {"regulation": "aktogay-2013/prosthetic-docs", "channel": "psc", "category": "general-disease",
            "applicant": {"iin": OURS_IIN, "name": OURS_NAME, "phone": OURS_PHONE},
            "documents": ["application", "id-copy", "irp-extract"]}
    created = consultant("post", "/cases", body)
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    wrong_check_digit = OURS_IIN[:11] + str((int(OURS_IIN[11]) + 1) % 10)
    assert consultant("post", "/cases", {**body, "applicant": {**body["applicant"], "iin": wrong_check_digit}}
                      ).status_code == 422
    assert consultant("post", "/cases", {**body, "applicant": {**body["applicant"], "phone": "+7 999 1"}}
                      ).status_code == 422
    assert consultant("get", "/cases", q=OURS_IIN).status_code == 200
    assert consultant("get", "/cases", q=OURS_NAME.split()[0]).status_code == 200
    # The ledger is read by IIN in the path; a PSC clerk may read it but not write it (a 403 with that path).
    assert consultant("get", f"/recipients/{OURS_IIN}/entitlements").status_code == 200
    assert consultant("post", f"/recipients/{OURS_IIN}/receipts",
                      {"service": "mlsp-2021/technical-aids", "item": "x", "received_on": "2024-01-01"}
                      ).status_code in (403, 422)
    assert consultant("get", f"/recipients/{wrong_check_digit}/entitlements").status_code == 422

    citizen = Client()
    citizen.cookies["qyzmet_language"] = "en"
    assert citizen.post("/my-application", {"number": number, "iin": OURS_IIN}).status_code == 200
    citizen.post("/my-application", {"number": number, "iin": make_iin(dt.date(1984, 7, 9), "male", 4322)})
    citizen.post("/login/", {"username": f"{PSC}.psc-consultant", "password": "wrong"})

    hiv = hiv_case_with_a_positive_result()
    citizen.post("/hiv/result", {"code": hiv.personal_code})
    citizen.post("/hiv/result", {"code": "ABCDE-FGH23"})
    doctor = Client()
    doctor.force_login(get_user_model().objects.get(username=f"{POLYCLINIC}.laboratory"))
    assert doctor.get(f"/staff/cases/{hiv.pk}/").status_code == 200
    assert doctor.get("/staff/cases/", {"q": OURS_IIN}).status_code == 200
    assert doctor.get(f"/staff/cases/{Case.objects.get(number=number).pk}/").status_code == 404  # not their office
    Client().post("/notify/sms/inbound", json.dumps({"phone": OURS_PHONE, "text": "Иә 123456"}),
                  content_type="application/json", headers={"X-Qyzmet-Webhook-Secret": "wrong"})


def valid_iins(text: str) -> set[str]:
    found = set()
    for candidate in re.findall(r"(?<!\d)\d{12}(?!\d)", text):
        try:
            parse_iin(candidate)
        except InvalidIdentifier:
            continue
        found.add(candidate)
    return found


def phone_pattern(phone: str) -> re.Pattern:
    """The number's last ten digits with any separators between them (+7 701 234-56-78, 87012345678, …)."""
    digits = re.sub(r"\D", "", phone)[-10:]
    return re.compile(r"[\s\-().]*".join(digits))


def test_no_personal_data_in_any_log_line(log_file, demo_offices, clock, settings, tmp_path):
    settings.QYZMET_SMS_WEBHOOK_SECRET = "the-secret"
    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mangystau-2015/")])
    a_demo_like_run(tmp_path)
    text = log_file.read_text(encoding="utf-8")
    # The capture works: the refusals above were logged (with their paths).
    assert "Unprocessable Entity: /api/v1/cases" in text and "Forbidden: /notify/sms/inbound" in text

    people = list(Case.objects.values_list("applicant_iin", "representative_iin", "applicant_name",
                                           "applicant_phone", "personal_code"))
    assert any(iin == OURS_IIN for iin, *_ in people) and len(people) > 15
    lines = text.splitlines()
    leaks: list[str] = []
    for iin in valid_iins(text):
        leaks += [f"IIN {iin}: {line}" for line in lines if iin in line]
    stored_phones = {p for *_, p, _code in people if p} | {OURS_PHONE}
    for phone in stored_phones:
        pattern = phone_pattern(phone)
        leaks += [f"phone {phone}: {line}" for line in lines if pattern.search(line)]
    names = {n for _i, _r, n, _p, _c in people if n} | {OURS_NAME}
    for name in names:
        leaks += [f"name {name}: {line}" for line in lines if name in line]
    for code in {c for *_, c in people if c}:
        leaks += [f"personal code {code}: {line}" for line in lines if code in line]
    for word in HIV_WORDS:
        leaks += [f"HIV result {word!r}: {line}" for line in lines if word in line.lower()]
    assert leaks == [], "\n".join(leaks[:40])


def test_the_filter_replaces_iins_and_phones_and_drops_template_contexts():
    from qyzmet.log_privacy import PersonalDataFilter, redact

    assert redact(f"Not Found: /api/v1/recipients/{OURS_IIN}/entitlements") == \
        "Not Found: /api/v1/recipients/[IIN]/entitlements"
    assert redact("gateway refused +7 (705) 555-12-34 and 87055551234") == "gateway refused [phone] and [phone]"
    assert redact("amount 100000000000, registry R2025-000012") == "amount 100000000000, registry R2025-000012"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Forbidden",
                               f"/api/v1/recipients/{OURS_IIN}/receipts"), None)
    assert PersonalDataFilter().filter(record) and record.getMessage() == "Forbidden: /api/v1/recipients/[IIN]/receipts"
    try:
        raise ValueError(f"context {{'applicant_name': '{OURS_NAME}'}}")
    except ValueError:
        import sys

        template = logging.LogRecord("django.template", logging.DEBUG, __file__, 1, "Exception while resolving "
                                     "variable '%s' in template '%s'.", ("n", "case.html"), sys.exc_info())
    PersonalDataFilter().filter(template)
    assert logging.Formatter().format(template) == "Exception while resolving variable 'n' in template 'case.html'."
