"""The SMS the acts prescribe: queued in the transition's transaction, sent once by the worker."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from qyzmet.cases import services
from qyzmet.cases.models import Case
from qyzmet.cases.services import sync_catalog
from qyzmet.core import engine
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.lint import lint
from qyzmet.core.loader import load_text, shipped_catalog
from qyzmet.demo import build_directory
from qyzmet.notify import gateways, worker
from qyzmet.notify.models import InboundSms, Sms
from qyzmet.notify.outbox import normalise_phone

pytestmark = pytest.mark.django_db

REG = "mlsp-2021/technical-aids"
START = dt.datetime(2025, 3, 18, 10, 0, tzinfo=ALMATY)  # the day before the test clock
IIN = make_iin(dt.date(1970, 5, 4), "female", 120)
PHONE = "+7 701 234 56 78"
SECRET = "s3cret-webhook"


@pytest.fixture
def directory():
    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])


def reg():
    return shipped_catalog().get(REG)


def submit(directory, route: str = "psc", *, phone: str = PHONE, language: str = "kk") -> Case:
    r = reg()
    row = services.register_regulation(r)
    category = r.category("disabled-person")
    channel = r.route(route).channel
    return services.submit(row, engine.Submit(route, IIN, category.code, category.documents), START,
                           office=directory.office_for(r, channel), provider_office=directory.provider_of[r.id],
                           applicant_name="Әлия Серікқызы", applicant_phone=phone, language=language).case


def step(case: Case, n: int, minutes: int) -> Case:
    return services.apply_event(case, engine.CompleteStep(n), START + dt.timedelta(minutes=minutes)).case


def to_step_4_done(case: Case) -> Case:
    """technical-aids psc route: accept, decide, hand to the PSC, inform by SMS (step 4)."""
    case = step(case, 1, 10)
    case = services.apply_event(case, engine.Decide("positive"), START + dt.timedelta(minutes=20)).case
    case = step(case, 2, 30)
    case = step(case, 3, 40)
    assert not Sms.objects.filter(case=case).exists()  # nothing before the step the act ties the SMS to
    return step(case, 4, 50)


class FlakyFile(gateways.FileGateway):
    """The file gateway, killed (an exception that is not a gateway error) after ``ok`` sends."""

    def __init__(self, path: Path, ok: int) -> None:
        super().__init__(path)
        self.ok = ok

    def send(self, phone: str, text: str, ref: str) -> str:
        if self.ok == 0:
            raise KeyboardInterrupt("worker killed")
        self.ok -= 1
        return super().send(phone, text, ref)


class Refusing:
    name = "refusing"

    def __init__(self):
        self.calls = 0

    def send(self, phone, text, ref):
        self.calls += 1
        raise gateways.GatewayError("HTTP 503 from the SMS gateway")


def sent_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- queueing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "words"), [("kk", "ұялы байланысының"), ("ru", "СМС-сообщение о результатах")])
def test_the_psc_result_sms_is_queued_with_step_4_in_the_case_language(directory, language, words):
    case = to_step_4_done(submit(directory, language=language))
    [sms] = Sms.objects.filter(case=case)
    assert (sms.code, sms.status, sms.phone, sms.language) == ("psc-result", "queued", "+77012345678", language)
    assert words in sms.text and sms.text.startswith(case.number)
    assert sms.cite == "cl. 67 (third paragraph); annex 12, item 5"
    assert sms.office_id == case.office_id  # the PSC informs the applicant: its journal lists it
    assert sms.number == sms.pk
    # Kazakh letters survive the database round trip.
    if language == "kk":
        assert "ұ" in Sms.objects.get(pk=sms.pk).text


def test_a_refused_transition_queues_nothing(directory):
    case = to_step_4_done(submit(directory))
    before = Sms.objects.count()
    with pytest.raises(engine.EngineError):
        services.apply_event(case, engine.CompleteStep(2), START + dt.timedelta(minutes=60))  # not the current step
    other = submit(directory)
    services.apply_event(other, engine.RefuseAcceptance("expired-documents"), START + dt.timedelta(minutes=5))
    assert Sms.objects.count() == before


def test_the_sms_rolls_back_with_its_transition(directory):
    case = submit(directory)
    case = step(case, 1, 10)
    case = services.apply_event(case, engine.Decide("positive"), START + dt.timedelta(minutes=20)).case
    case = step(case, 2, 30)
    case = step(case, 3, 40)

    def boom(transition):
        raise RuntimeError("a later listener fails")

    services.transition_listeners.append(boom)
    try:
        with pytest.raises(RuntimeError):
            step(case, 4, 50)
    finally:
        services.transition_listeners.remove(boom)
    assert not Sms.objects.exists()
    assert Case.objects.get(pk=case.pk).current_step == 4


def test_proactive_sms_on_completed_and_on_opened_steps(directory):
    case = submit(directory, "proactive")
    assert not Sms.objects.exists()
    case = step(case, 1, 10)  # the request SMS carries its codes: qyzmet.proactive queues it, not a trigger
    assert not Sms.objects.exists()
    case = step(case, 2, 20)  # consent: step 3 opens, E-Sobes confirms at once
    assert list(Sms.objects.values_list("code", flat=True)) == ["proactive-registered"]
    step(case, 3, 30)
    assert Sms.objects.count() == 1
    assert set(Sms.objects.values_list("office_id", flat=True)) == {case.provider_office_id}


@pytest.mark.parametrize("phone", ["", "+7 123", "+7 916 123 45 67", "+7 7172 55 66 77", "not a phone"])
def test_an_invalid_number_is_recorded_and_never_sent(directory, phone, tmp_path):
    case = to_step_4_done(submit(directory, phone=phone))
    [sms] = Sms.objects.filter(case=case)
    assert sms.status == "invalid-number" and sms.next_attempt_at is None
    out = tmp_path / "sent.jsonl"
    assert worker.drain(gateways.FileGateway(out)).sent == 0
    assert not out.exists()
    assert Sms.objects.get(pk=sms.pk).status == "invalid-number"


def test_phone_normalisation():
    assert normalise_phone("8 (701) 234-56-78") == "+77012345678"
    assert normalise_phone("+77471234567") == "+77471234567"
    assert normalise_phone("+79161234567") is None  # a Russian mobile shares +7 but is not Kazakh
    assert normalise_phone("+77172556677") is None  # an Astana landline


# --- the worker ---------------------------------------------------------------------------------------

def make_queued(directory, n: int) -> list[int]:
    for _ in range(n):
        to_step_4_done(submit(directory))
    return list(Sms.objects.order_by("id").values_list("id", flat=True))


def test_the_worker_sends_each_sms_exactly_once(directory, tmp_path, clock):
    ids = make_queued(directory, 3)
    out = tmp_path / "sent.jsonl"
    stats = worker.drain(gateways.FileGateway(out), batch=2)
    assert stats.sent == 3
    assert worker.drain(gateways.FileGateway(out)).sent == 0
    lines = sent_lines(out)
    assert sorted(int(line["ref"]) for line in lines) == ids
    for sms in Sms.objects.all():
        assert sms.status == "sent" and sms.attempts == 1 and sms.sent_at is not None
        assert sms.provider_id == next(line["id"] for line in lines if line["ref"] == str(sms.pk))


def test_a_killed_worker_restarted_sends_every_sms_exactly_once(directory, tmp_path, clock):
    ids = make_queued(directory, 5)
    out = tmp_path / "sent.jsonl"
    with pytest.raises(KeyboardInterrupt):
        worker.drain(FlakyFile(out, ok=2), batch=4)
    statuses = sorted(Sms.objects.values_list("status", flat=True))
    assert statuses == ["queued", "sending", "sending", "sent", "sent"]
    # Restarted at once: the dead worker's lease still holds, so the rows it claimed wait.
    assert worker.drain(gateways.FileGateway(out)).sent == 1
    clock.advance(minutes=6)  # the lease expired
    assert worker.drain(gateways.FileGateway(out)).sent == 2
    refs = [int(line["ref"]) for line in sent_lines(out)]
    assert sorted(refs) == ids and len(refs) == len(set(refs))  # every SMS, each once
    # The journal says what the gateway received.
    assert set(Sms.objects.filter(status="sent").values_list("id", flat=True)) == set(refs)
    for line in sent_lines(out):
        sms = Sms.objects.get(pk=int(line["ref"]))
        assert (sms.phone, sms.text, sms.provider_id) == (line["phone"], line["text"], line["id"])


def test_a_stale_sending_row_is_retried(directory, tmp_path, clock):
    [pk] = make_queued(directory, 1)
    Sms.objects.filter(pk=pk).update(status="sending", lease_until=clock() - dt.timedelta(seconds=1), attempts=1)
    out = tmp_path / "sent.jsonl"
    assert worker.drain(gateways.FileGateway(out)).sent == 1
    sms = Sms.objects.get(pk=pk)
    assert sms.status == "sent" and sms.attempts == 2


def test_retries_back_off_then_fail(directory, clock):
    [pk] = make_queued(directory, 1)
    gateway = Refusing()
    waits = []
    for _ in range(3):
        before = clock()
        worker.drain(gateway, max_attempts=3)
        sms = Sms.objects.get(pk=pk)
        if sms.status == "failed":
            break
        assert sms.status == "queued" and "503" in sms.last_error
        waits.append(sms.next_attempt_at - before)
        assert worker.drain(gateway, max_attempts=3).sent == 0  # not due yet: no call
        clock.advance(minutes=waits[-1].total_seconds() / 60)
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    sms = Sms.objects.get(pk=pk)
    assert (sms.status, sms.attempts, gateway.calls) == ("failed", 3, 3)
    clock.advance(days=1)
    worker.drain(gateway, max_attempts=3)
    assert gateway.calls == 3  # failed for good


def test_the_http_gateway_posts_json_and_treats_non_2xx_as_an_error():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((body, self.headers["Authorization"], self.headers["Idempotency-Key"]))
            status = 500 if body["to"] == "+77000000000" else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b'{"id": "op-1"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gateway = gateways.HttpGateway(f"http://127.0.0.1:{server.server_port}/send", "tok", timeout=5)
        assert gateway.send("+77012345678", "Сәлем", "42") == "op-1"
        assert seen[0] == ({"to": "+77012345678", "text": "Сәлем", "ref": "42"}, "Bearer tok", "42")
        with pytest.raises(gateways.GatewayError, match="500"):
            gateway.send("+77000000000", "x", "43")
    finally:
        server.shutdown()


def test_the_worker_command_drains_once(directory, tmp_path, monkeypatch, capsys):
    from qyzmet.cli import main

    make_queued(directory, 2)
    out = tmp_path / "cli.jsonl"
    monkeypatch.setenv("QYZMET_SMS_GATEWAY", "file")
    monkeypatch.setenv("QYZMET_SMS_FILE", str(out))
    monkeypatch.setattr("qyzmet.cli.django_setup.migrate", lambda verbosity=0: None)
    assert main(["worker", "--once", "--batch", "1"]) == 0
    assert "2 SMS sent" in capsys.readouterr().out
    assert len(sent_lines(out)) == 2


# --- webhooks -----------------------------------------------------------------------------------------

@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("QYZMET_SMS_WEBHOOK_SECRET", SECRET)


def post(client, url, body, secret: str | None = SECRET):
    headers = {"HTTP_X_QYZMET_WEBHOOK_SECRET": secret} if secret is not None else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **headers)


def test_a_delivery_report_updates_the_status(directory, tmp_path, client, secret):
    make_queued(directory, 2)
    worker.drain(gateways.FileGateway(tmp_path / "s.jsonl"))
    first, second = Sms.objects.order_by("id")
    assert post(client, "/notify/sms/delivery", {"id": first.provider_id, "status": "delivered"}).status_code == 200
    assert post(client, "/notify/sms/delivery", {"id": second.provider_id, "status": "failed",
                                                 "error": "absent subscriber"}).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "delivered" and first.delivered_at is not None
    assert second.status == "failed" and second.last_error == "absent subscriber"
    assert post(client, "/notify/sms/delivery", {"id": "nope", "status": "delivered"}).status_code == 404


def test_webhooks_refuse_without_the_secret(client, secret, monkeypatch):
    for url in ("/notify/sms/delivery", "/notify/sms/inbound"):
        assert post(client, url, {}, secret=None).status_code == 403
        assert post(client, url, {}, secret="wrong").status_code == 403
    monkeypatch.delenv("QYZMET_SMS_WEBHOOK_SECRET")
    assert post(client, "/notify/sms/inbound", {"phone": PHONE, "text": "1"}, secret="").status_code == 403


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/notify/sms/delivery", "{not json", "body"),
    ("/notify/sms/delivery", {"status": "delivered"}, "id"),
    ("/notify/sms/delivery", {"id": "x", "status": "read"}, "status"),
    ("/notify/sms/inbound", ["a list"], "body"),
    ("/notify/sms/inbound", {"text": "1"}, "phone"),
    ("/notify/sms/inbound", {"phone": "+79161234567", "text": "1"}, "phone"),
    ("/notify/sms/inbound", {"phone": PHONE}, "text"),
])
def test_malformed_webhooks_are_400_naming_the_field(client, secret, url, body, field):
    response = post(client, url, body)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_an_inbound_sms_is_stored(client, secret):
    response = post(client, "/notify/sms/inbound", {"phone": "8 701 234 56 78", "text": "Иә 1234", "id": "in-9"})
    assert response.status_code == 201
    row = InboundSms.objects.get()
    assert (row.phone, row.text, row.provider_id, row.processed_at) == ("+77012345678", "Иә 1234", "in-9", None)


# --- the journal and the case pages -----------------------------------------------------------------------


def user_of(directory, office_id: int, role: str):
    return directory.users[(office_id, role)]


def test_the_journal_lists_the_own_office_only_and_exports_csv(directory, client):
    psc_case = to_step_4_done(submit(directory))  # psc-result: the PSC's journal
    proactive = step(step(submit(directory, "proactive", phone="+7 747 111 22 33"), 1, 10), 2, 20)  # the department's
    [psc_sms] = Sms.objects.filter(case=psc_case)
    [dept_sms] = Sms.objects.filter(case=proactive)
    client.force_login(user_of(directory, psc_case.office_id, "psc-issuance-inspector"))
    page = client.get("/staff/sms/")
    assert page.status_code == 200
    html = page.content.decode()
    assert psc_case.number in html and proactive.number not in html
    assert 'href="/staff/sms/"' in html  # the menu link
    assert client.get("/staff/sms/", {"q": "+77012345678"}).content.decode().count(psc_case.number) >= 1
    assert psc_case.number not in client.get("/staff/sms/", {"q": "+77470000000"}).content.decode()
    response = client.get("/staff/sms/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == str(psc_sms.number) and rows[1][2] == "+77012345678"
    assert rows[1][3] == psc_case.number and "ұялы" in rows[1][4]

    client.force_login(user_of(directory, proactive.provider_office_id, "specialist"))
    html = client.get("/staff/sms/").content.decode()
    assert proactive.number in html and dept_sms.phone in html and psc_case.number not in html


def test_case_pages_say_an_sms_was_not_sent_for_an_invalid_number(directory, client):
    case = to_step_4_done(submit(directory, phone="+7 123"))
    client.force_login(user_of(directory, case.office_id, "psc-issuance-inspector"))
    html = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="case-sms"' in html and "жіберілмеді: нөмір жарамсыз" in html  # in the page's Kazakh
    client.logout()
    html = client.post("/my-application", {"number": case.number, "iin": IIN}).content.decode()
    assert 'id="citizen-sms"' in html and "Қазақстанның жарамды ұялы байланыс нөмірі емес" in html


# --- the linter -------------------------------------------------------------------------------------------

def test_lint_reports_a_trigger_on_a_missing_step_or_route():
    source = Path(reg().source_path).read_text(encoding="utf-8")
    assert not [f for f in lint(reg()) if f.code == "unknown-sms-trigger"]
    for old, new, says in [("trigger: {route: psc, step: 4}", "trigger: {route: psc, step: 9}", "step 9"),
                           ("trigger: {route: psc, step: 4}", "trigger: {route: portal, step: 1}", "'portal'")]:
        text = source.replace(old, new, 1)
        assert text != source
        [finding] = [f for f in lint(load_text(text, "mutated.yaml")) if f.code == "unknown-sms-trigger"]
        assert finding.severity == "error" and says in finding.message
        assert finding.cite == "cl. 67 (third paragraph); annex 12, item 5" and finding.where == "sms[0].trigger"


def test_every_triggered_sms_of_the_catalog_points_at_a_real_step():
    triggered = untriggered = 0
    for r in shipped_catalog().regulations:
        for sms in r.sms:
            if sms.trigger is None:
                untriggered += 1
                continue
            triggered += 1
            assert any(s.n == sms.trigger.step for s in r.route(sms.trigger.route).steps)
    # 24 until the proactive request SMS (one per mlsp-2021 act) moved to qyzmet.proactive, which adds the codes.
    assert triggered == 18 and untriggered > 0
