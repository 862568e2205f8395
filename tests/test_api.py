"""The JSON API carried by each role's token: a whole PSC case, and every kind of error it answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openapi_spec_validator import validate

from qyzmet.api.models import IdempotencyRecord
from qyzmet.api.tokens import create_token, revoke
from qyzmet.cases.models import Case, Event, Task
from qyzmet.core.iin import make_iin

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"
ADULT = make_iin(dt.date(1970, 5, 4), "female", 120)


def application(**kw) -> dict:
    body = {"regulation": REG, "applicant": {"iin": ADULT, "name": "Әлия Серікқызы", "phone": "+7 701 234 56 78"},
            "category": "general-disease", "documents": ["application", "id-copy", "irp-extract"]}
    body.update(kw)
    return body


def error(response, status: int) -> dict:
    """The error of a response that must have this status, in the API's one error shape."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"]
    return body["error"]


def only_task(api) -> dict:
    page = api.get("/tasks").json()
    assert page["count"] == 1, page
    return page["items"][0]


def test_a_psc_case_goes_through_every_role_by_token(api_as, clock):
    consultant = api_as(f"{PSC}.psc-consultant")
    created = consultant.post("/cases", application(channel="psc"))
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["status"] == "submitted" and case["office"] == PSC and case["provider_office"] == DEPT
    assert case["channel"] == "psc" and case["submitted_at"] == "2025-03-19T10:00:00+05:00"
    assert case["applicant"] == {"iin": ADULT, "name": "Әлия Серікқызы", "phone": "+77012345678"}
    assert [(i["document"], i["present"]) for i in case["checklist"]] == [
        ("application", True), ("id-copy", True), ("irp-extract", True)]
    [t1] = case["tasks"]
    assert (t1["step"], t1["role"], t1["office"], t1["urgency"]) == (1, "psc-consultant", PSC, "on-track")
    assert only_task(consultant)["id"] == t1["id"]
    clock.advance(minutes=5)
    assert consultant.post(f"/tasks/{t1['id']}/complete", {"note": "documents checked"}).status_code == 200

    inspector = api_as(f"{PSC}.psc-hall-inspector")
    t2 = only_task(inspector)
    assert t2["accepts"] and t2["case_number"] == case["number"]
    clock.advance(minutes=5)
    accepted = inspector.post(f"/tasks/{t2['id']}/complete", {}).json()
    assert accepted["status"] == "in-progress" and accepted["term_due"].endswith("+05:00")
    assert "10 working days" in accepted["term_why"]

    accumulation = api_as(f"{PSC}.psc-accumulation-specialist")
    ready = accumulation.get("/registries/ready").json()
    assert ready["count"] == 1 and ready["items"][0]["via_registry"]
    clock.advance(minutes=50)
    sent = accumulation.post("/registries", {"tasks": [ready["items"][0]["id"]]})
    assert sent.status_code == 201, sent.content
    registry = sent.json()
    assert registry["direction"] == "to-provider" and registry["to_office"] == DEPT and registry["item_count"] == 1

    clerk = api_as(f"{DEPT}.records-specialist")
    incoming = clerk.get("/registries", incoming="true").json()
    assert [r["id"] for r in incoming["items"]] == [registry["id"]]
    [line] = clerk.get(f"/registries/{registry['id']}").json()["items"]
    assert (line["case_number"], line["state"]) == (case["number"], "sent")
    clock.advance(days=1)
    acknowledged = clerk.post(f"/registries/items/{line['id']}/acknowledge").json()
    assert (acknowledged["state"], acknowledged["acted_by"]) == ("acknowledged", f"{DEPT}.records-specialist")

    head, sector, specialist = (api_as(f"{DEPT}.{role}") for role in ("head", "sector-head", "specialist"))
    for who in (head, sector, specialist, sector):
        clock.advance(minutes=30)
        task = only_task(who)
        assert who.post(f"/tasks/{task['id']}/complete", {}).status_code == 200
    signing = only_task(head)
    assert signing["decides"] and signing["step"] == 9
    clock.advance(minutes=20)
    decided = head.post("/decisions", {"task": signing["id"], "decision": "positive"})
    assert decided.status_code == 201, decided.content
    assert decided.json()["outcome"] == "positive" and decided.json()["decided_by"] == f"{DEPT}.head"

    back_task = clerk.get("/registries/ready").json()["items"][0]
    clock.advance(minutes=60)
    back = clerk.post("/registries", {"tasks": [back_task["id"]]}).json()
    assert back["direction"] == "to-psc" and back["to_office"] == PSC

    issuer = api_as(f"{PSC}.psc-issuance-inspector")
    clock.advance(days=1)
    assert issuer.post(f"/registries/items/{back['items'][0]['id']}/acknowledge").status_code == 200
    handing = only_task(issuer)
    assert handing["issues"] and handing["step"] == 11
    clock.advance(minutes=10)
    issued = issuer.post(f"/tasks/{handing['id']}/complete", {}).json()
    assert issued["status"] == "issued" and issued["in_term"] is True and issued["outcome"] == "positive"
    assert issued["tasks"] == []

    events = consultant.get(f"/cases/{case['id']}/events", limit=200).json()
    assert [e["seq"] for e in events["items"]] == list(range(1, events["count"] + 1))
    assert events["items"][0]["kind"] == "submit" and events["items"][0]["actor"] == f"{PSC}.psc-consultant"
    assert events["count"] == Event.objects.filter(case_id=case["id"]).count()
    decisions = consultant.get("/decisions").json()
    assert [d["case_number"] for d in decisions["items"]] == [case["number"]]


# --- authentication ------------------------------------------------------------------------------

def test_staff_endpoints_need_a_valid_token(api_as, anonymous):
    assert error(anonymous.get("/cases"), 401)["code"] == "unauthenticated"
    assert error(anonymous.post("/cases", application()), 401)["code"] == "unauthenticated"
    response = anonymous.get("/tasks")
    assert response["WWW-Authenticate"].startswith("Bearer")
    anonymous.headers = {"Authorization": "Bearer not-a-token"}
    assert error(anonymous.get("/tasks"), 401)["message"] == "unknown API token"

    user = get_user_model().objects.get(username=f"{PSC}.psc-consultant")
    token, raw = create_token(user, "to be revoked")
    anonymous.headers = {"Authorization": f"Bearer {raw}"}
    assert anonymous.get("/tasks").status_code == 200
    revoke(token.prefix)
    assert "revoked" in error(anonymous.get("/tasks"), 401)["message"]
    assert error(anonymous.post("/cases", application()), 401)["code"] == "unauthenticated"
    assert Case.objects.count() == 0


def test_a_token_is_stored_only_as_its_hash(api_as):
    token, raw = create_token(get_user_model().objects.get(username=f"{PSC}.psc-consultant"))
    assert raw not in (token.key_hash, token.prefix) and len(token.key_hash) == 64 and raw.startswith(token.prefix)


def test_an_account_without_an_office_is_forbidden(demo_offices, clock):
    user = get_user_model().objects.create_user("auditor", password="x")
    _, raw = create_token(user)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    for path in ("/api/v1/cases", "/api/v1/tasks", "/api/v1/registries", "/api/v1/decisions"):
        assert error(client.get(path), 403)["code"] == "forbidden"
    assert client.get("/api/v1/catalog").status_code == 200  # the catalog is public


def test_the_staff_ui_session_works_and_unsafe_methods_need_the_csrf_token(demo_offices, clock):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.get(username=f"{PSC}.psc-consultant"))
    assert browser.get("/api/v1/tasks").status_code == 200
    no_csrf = browser.post("/api/v1/cases", application(), content_type="application/json")
    assert error(no_csrf, 403)["code"] == "csrf-failed"
    secret = "k" * 32  # what the UI reads from its csrftoken cookie and echoes in the header
    browser.cookies["csrftoken"] = secret
    ok = browser.post("/api/v1/cases", application(), content_type="application/json",
                      headers={"X-CSRFToken": secret})
    assert ok.status_code == 201, ok.content


# --- the workflow's refusals, as HTTP --------------------------------------------------------------

def open_case(api, **kw) -> dict:
    response = api.post("/cases", application(**kw))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("change, field", [
    ({"applicant": {"iin": "123456789012"}}, "applicant.iin"),
    ({"applicant": {"iin": ADULT, "phone": "12345"}}, "applicant.phone"),
    ({"regulation": "nowhere/none"}, "regulation"),
    ({"category": "martian"}, "category"),
    ({"documents": ["application", "passport-of-the-moon"]}, "documents"),
    ({"channel": "provider"}, "channel"),  # this PSC office receives the service on the psc channel
    ({"channel": "telepathy"}, "channel"),
    ({"representative": {"name": "Ерлан Төлеуов"}}, "representative.power_of_attorney"),
    ({"representative": {"name": "Ерлан", "iin": "1", "power_of_attorney": "№ 12, 01.03.2025"}},
     "representative.iin"),
    ({"applicant": {"iin": ADULT, "nickname": "Әке"}}, "applicant.nickname"),
    ({"urgent": True}, "urgent"),
    ({"documents": "application"}, "documents"),
])
def test_intake_names_the_field_at_fault(api_as, change, field):
    consultant = api_as(f"{PSC}.psc-consultant")
    found = error(consultant.post("/cases", application(**change)), 422)
    assert (found["code"], found["field"]) == ("invalid", field), found
    assert Case.objects.count() == 0


def test_after_midnight_in_almaty_today_is_almatys_today(api_as, clock):
    # 01:30 in Almaty is still yesterday in UTC, which is what timezone.now() gives.
    clock.at = dt.datetime(2025, 3, 18, 20, 30, tzinfo=dt.UTC)
    newborn = make_iin(dt.date(2025, 3, 19), "male", 7)
    case = open_case(api_as(f"{PSC}.psc-consultant"), applicant={"iin": newborn, "name": "Нұрсұлтан"},
                     category="disabled-child",
                     documents=["application", "birth-certificate-copy", "parent-id-copy", "irp-extract"])
    assert case["submitted_at"] == "2025-03-19T01:30:00+05:00"


def test_malformed_bodies_and_unknown_urls_get_json_errors(api_as):
    consultant = api_as(f"{PSC}.psc-consultant")
    assert error(consultant.post("/cases", raw='{"regulation": '), 400)["code"] == "bad-json"
    assert error(consultant.post("/cases"), 422)["field"] is None
    unknown = consultant.get("/no-such-thing")
    assert error(unknown, 404)["code"] == "not-found" and unknown["X-Content-Type-Options"] == "nosniff"
    assert error(consultant.get("/cases/not-a-number"), 404)["code"] == "not-found"
    wrong_method = consultant.client.delete("/api/v1/cases", headers=consultant.headers)
    assert error(wrong_method, 405)["code"] == "method-not-allowed" and "GET" in wrong_method["Allow"]
    assert error(consultant.get("/catalog/nowhere/none"), 404)["code"] == "not-found"


def test_a_role_that_does_not_do_the_step_is_forbidden(api_as):
    issuer = api_as(f"{PSC}.psc-issuance-inspector")
    assert error(issuer.post("/cases", application()), 403)["code"] == "forbidden"  # it does not receive
    case = open_case(api_as(f"{PSC}.psc-consultant"))
    task = case["tasks"][0]["id"]
    assert error(issuer.post(f"/tasks/{task}/complete", {}), 403)["code"] == "forbidden"
    assert error(issuer.post(f"/tasks/{task}/claim"), 403)["code"] == "forbidden"
    # The provider sees the case the PSC took for it, but the PSC's step is not its to do.
    head = api_as(f"{DEPT}.head")
    assert head.get(f"/cases/{case['id']}").status_code == 200
    assert error(head.post(f"/tasks/{task}/complete", {}), 403)["code"] == "forbidden"
    assert Task.objects.get(pk=task).closed_at is None


def test_another_offices_case_task_and_registry_are_not_found(api_as):
    consultant = api_as(f"{PSC}.psc-consultant")
    case = open_case(consultant)
    consultant.post(f"/tasks/{case['tasks'][0]['id']}/complete", {})
    inspector = api_as(f"{PSC}.psc-hall-inspector")
    inspector.post(f"/tasks/{only_task(inspector)['id']}/complete", {})
    accumulation = api_as(f"{PSC}.psc-accumulation-specialist")
    registry = accumulation.post("/registries", {"tasks": [only_task(accumulation)["id"]]}).json()
    task = Task.objects.get(case_id=case["id"], closed_at__isnull=True)

    stranger = api_as("ulytau-2012-psc.psc-consultant")
    assert error(stranger.get(f"/cases/{case['id']}"), 404)["code"] == "not-found"
    assert error(stranger.get(f"/cases/{case['id']}/events"), 404)["code"] == "not-found"
    assert error(stranger.post(f"/tasks/{task.pk}/complete", {}), 404)["code"] == "not-found"
    assert error(stranger.post(f"/tasks/{task.pk}/claim"), 404)["code"] == "not-found"
    assert error(stranger.get(f"/registries/{registry['id']}"), 404)["code"] == "not-found"
    item = registry["items"][0]["id"]
    assert error(stranger.post(f"/registries/items/{item}/acknowledge"), 404)["code"] == "not-found"
    assert error(stranger.post(f"/registries/items/{item}/return", {"errors": "x"}), 404)["code"] == "not-found"
    assert error(stranger.post("/decisions", {"task": task.pk, "decision": "positive"}), 404)["code"] == "not-found"
    assert error(stranger.get("/cases/999999"), 404)["code"] == "not-found"


def test_conflicts_are_409(api_as):
    specialist = api_as(f"{DEPT}.specialist")
    case = open_case(specialist)
    task = case["tasks"][0]["id"]
    claimed = specialist.post(f"/tasks/{task}/claim")
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == f"{DEPT}.specialist"

    from qyzmet.directory.models import RoleAssignment, Staff

    User = get_user_model()
    other = User.objects.create_user("second-specialist", password="x")
    mine = Staff.objects.get(user__username=f"{DEPT}.specialist")
    RoleAssignment.objects.create(staff=Staff.objects.create(user=other, office=mine.office, full_name="Second"),
                                  role="specialist")
    _, raw = create_token(other)
    second = Client(headers={"Authorization": f"Bearer {raw}"})
    assert error(second.post(f"/api/v1/tasks/{task}/claim"), 409)["code"] == "conflict"
    taken = second.post(f"/api/v1/tasks/{task}/complete", "{}", content_type="application/json")
    assert error(taken, 409)["code"] == "conflict"

    # A registry step is done by sending a registry, not by completing it.
    consultant = api_as(f"{PSC}.psc-consultant")
    psc_case = open_case(consultant)
    consultant.post(f"/tasks/{psc_case['tasks'][0]['id']}/complete", {})
    inspector = api_as(f"{PSC}.psc-hall-inspector")
    inspector.post(f"/tasks/{only_task(inspector)['id']}/complete", {})
    accumulation = api_as(f"{PSC}.psc-accumulation-specialist")
    found = error(accumulation.post(f"/tasks/{only_task(accumulation)['id']}/complete", {}), 409)
    assert found["code"] == "conflict" and "registry" in found["message"]


def advance_to_signing(api_as) -> tuple[dict, object]:
    """A provider-route case up to the head's deciding step; returns the case and the head's client."""
    specialist = api_as(f"{DEPT}.specialist")
    case = open_case(specialist)
    specialist.post(f"/tasks/{case['tasks'][0]['id']}/complete", {})
    specialist.post(f"/tasks/{only_task(specialist)['id']}/complete", {})
    sector = api_as(f"{DEPT}.sector-head")
    sector.post(f"/tasks/{only_task(sector)['id']}/complete", {})
    return case, api_as(f"{DEPT}.head")


@pytest.mark.parametrize("body, field", [
    ({"decision": "refusal"}, "grounds"),
    ({"decision": "refusal", "grounds": ["not-a-ground"], "reason": "x"}, "grounds"),
    ({"decision": "refusal", "grounds": ["false-information"]}, "reason"),
    ({"decision": "positive", "grounds": ["false-information"]}, "grounds"),
    ({"decision": "maybe"}, "decision"),
    ({}, "decision"),
])
def test_a_decision_takes_grounds_only_from_the_act(api_as, body, field):
    case, head = advance_to_signing(api_as)
    signing = only_task(head)
    found = error(head.post(f"/tasks/{signing['id']}/complete", body), 422)
    assert (found["code"], found["field"]) == ("invalid", field), found
    assert Case.objects.get(pk=case["id"]).outcome == ""


def test_a_reasoned_refusal_is_listed_with_its_grounds(api_as, clock):
    case, head = advance_to_signing(api_as)
    signing = only_task(head)
    sector = api_as(f"{DEPT}.sector-head")
    assert error(sector.post("/decisions", {"task": signing["id"], "decision": "positive"}), 403)["code"] == \
        "forbidden"
    clock.advance(minutes=30)
    refused = head.post("/decisions", {"task": signing["id"], "decision": "refusal",
                                       "grounds": ["false-information"],
                                       "reason": "the IRP extract belongs to another person"})
    assert refused.status_code == 201, refused.content
    decision = refused.json()
    assert decision["outcome"] == "refusal" and decision["reason"] == "the IRP extract belongs to another person"
    [ground] = decision["grounds"]
    assert ground["code"] == "false-information" and ground["text"]["kk"] and ground["text"]["ru"] and ground["cite"]
    assert decision["decided_at"] == "2025-03-19T10:30:00+05:00"
    listed = api_as(f"{DEPT}.specialist").get("/decisions").json()
    assert listed["count"] == 1 and listed["items"][0] == decision
    detail = head.get(f"/cases/{case['id']}").json()
    assert detail["outcome"] == "refusal" and detail["grounds"] == decision["grounds"]


def test_decisions_endpoint_wants_the_deciding_step(api_as):
    specialist = api_as(f"{DEPT}.specialist")
    case = open_case(specialist)
    found = error(specialist.post("/decisions", {"task": case["tasks"][0]["id"], "decision": "positive"}), 422)
    assert found["field"] == "task"


def test_acceptance_is_refused_only_on_the_acts_grounds(api_as):
    inspector = api_as("mlsp-2021-psc.psc-hall-inspector")
    case = open_case(inspector, regulation="mlsp-2021/technical-aids", category="disabled-person",
                     documents=["application"], entitlement={"item": "diapers"})
    task = case["tasks"][0]["id"]
    assert error(inspector.post(f"/tasks/{task}/complete", {}), 409)["code"] == "conflict"  # documents missing
    found = error(inspector.post(f"/tasks/{task}/refuse-acceptance", {"ground": "no-such-ground"}), 422)
    assert found["field"] == "ground"
    refused = inspector.post(f"/tasks/{task}/refuse-acceptance", {"ground": "incomplete-package"})
    assert refused.status_code == 200, refused.content
    body = refused.json()
    assert body["status"] == "acceptance-refused" and body["tasks"] == []
    assert [g["code"] for g in body["grounds"]] == ["incomplete-package"] and body["grounds"][0]["text"]["ru"]


def test_a_returned_registry_line_goes_back_with_its_errors(api_as):
    consultant = api_as(f"{PSC}.psc-consultant")
    case = open_case(consultant)
    consultant.post(f"/tasks/{case['tasks'][0]['id']}/complete", {})
    inspector = api_as(f"{PSC}.psc-hall-inspector")
    inspector.post(f"/tasks/{only_task(inspector)['id']}/complete", {})
    accumulation = api_as(f"{PSC}.psc-accumulation-specialist")
    registry = accumulation.post("/registries", {"tasks": [only_task(accumulation)["id"]]}).json()
    item = registry["items"][0]["id"]
    clerk = api_as(f"{DEPT}.records-specialist")
    assert error(clerk.post(f"/registries/items/{item}/return", {"errors": "  "}), 422)["field"] == "errors"
    returned = clerk.post(f"/registries/items/{item}/return", {"errors": "the IRP extract copy is not certified"})
    assert returned.json()["state"] == "returned" and returned.json()["errors"].startswith("the IRP")
    assert error(clerk.post(f"/registries/items/{item}/acknowledge"), 409)["code"] == "conflict"
    again = only_task(accumulation)
    assert again["step"] == 3 and again["via_registry"]
    assert error(accumulation.post("/registries", {"tasks": []}), 422)["field"] == "tasks"


# --- idempotency ---------------------------------------------------------------------------------

def test_a_retried_intake_opens_one_case(api_as):
    consultant = api_as(f"{PSC}.psc-consultant")
    first = consultant.post("/cases", application(), key="intake-0001")
    retry = consultant.post("/cases", application(), key="intake-0001")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Case.objects.count() == 1 and IdempotencyRecord.objects.count() == 1

    # The same key with another body is a client bug, said as such.
    other = consultant.post("/cases", application(category="disabled-child"), key="intake-0001")
    found = error(other, 422)
    assert (found["code"], found["field"]) == ("idempotency-key-reused", "Idempotency-Key")
    # Key order and spacing are not "another body".
    import json

    reordered = json.dumps(dict(reversed(list(application().items()))), indent=2)
    assert consultant.post("/cases", raw=reordered, key="intake-0001").json() == first.json()
    assert error(consultant.post("/cases", application(), key="k" * 201), 422)["field"] == "Idempotency-Key"
    # Keys belong to their user: another clerk's identical key is another request.
    colleague = api_as(f"{PSC}.psc-hall-inspector")
    assert colleague.post("/cases", application(), key="intake-0001").json()["number"] != first.json()["number"]
    assert Case.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(api_as):
    consultant = api_as(f"{PSC}.psc-consultant")
    bad = consultant.post("/cases", application(category="martian"), key="intake-0002")
    assert error(bad, 422)["field"] == "category"
    assert consultant.post("/cases", application(category="martian"), key="intake-0002").status_code == 422
    assert IdempotencyRecord.objects.count() == 0


def test_racing_twins_with_one_key_store_one_case(api_as, monkeypatch):
    """The twin that loses the race on the unique key rolls its case back and answers with the winner's."""
    from qyzmet.api import idempotency

    consultant = api_as(f"{PSC}.psc-consultant")
    winner = consultant.post("/cases", application(), key="twin")
    looked = []
    real = idempotency._stored

    def not_yet_committed(user, key):  # the loser looked before the winner committed
        looked.append(key)
        return None if len(looked) == 1 else real(user, key)

    monkeypatch.setattr(idempotency, "_stored", not_yet_committed)
    loser = consultant.post("/cases", application(), key="twin")
    assert loser.status_code == 201 and loser["Idempotent-Replayed"] == "true"
    assert loser.json() == winner.json() and len(looked) == 2
    assert Case.objects.count() == 1


def test_answers_are_kept_a_week_then_swept_and_the_key_is_free_again(api_as, clock):
    consultant = api_as(f"{PSC}.psc-consultant")
    first = consultant.post("/cases", application(), key="intake-0003")
    clock.advance(days=6)
    assert consultant.post("/cases", application(), key="intake-0003").json() == first.json()  # a late retry
    clock.advance(days=2)  # 8 days on: the answer is gone, and the next new key sweeps it away
    assert consultant.post("/cases", application(), key="intake-0004").status_code == 201
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["intake-0004"]
    reused = consultant.post("/cases", application(), key="intake-0003")
    assert reused.status_code == 201 and reused.json()["number"] != first.json()["number"]
    assert "Idempotent-Replayed" not in reused


def test_every_post_is_idempotent(api_as):
    specialist = api_as(f"{DEPT}.specialist")
    case = open_case(specialist)
    task = case["tasks"][0]["id"]
    claim = specialist.post(f"/tasks/{task}/claim", key="claim-1")
    assert specialist.post(f"/tasks/{task}/claim", key="claim-1").json() == claim.json()
    done = specialist.post(f"/tasks/{task}/complete", {"note": "talon given"}, key="done-1")
    again = specialist.post(f"/tasks/{task}/complete", {"note": "talon given"}, key="done-1")
    assert done.status_code == again.status_code == 200 and again.json() == done.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(case_id=case["id"], kind="complete-step").count() == 1
    # Without a key, the retry is a second request: the step is done already.
    assert error(specialist.post(f"/tasks/{task}/complete", {"note": "talon given"}), 409)["code"] == "conflict"


# --- the OpenAPI document ------------------------------------------------------------------------

def test_the_openapi_document_validates_and_the_docs_page_loads(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["info"]["title"] == "Qyzmet API" and "/api/v1/cases" in spec["paths"]
    assert {"/api/v1/tasks/{task_id}/complete", "/api/v1/registries/ready", "/api/v1/decisions",
            "/api/v1/catalog/{reg_id}"} <= set(spec["paths"])
    header = {p["name"] for p in spec["paths"]["/api/v1/cases"]["post"]["parameters"]}
    assert "Idempotency-Key" in header
    assert anonymous.get("/docs").status_code == 200


def test_the_api_answers_in_english_whatever_language_the_client_asks_for(api_as):
    inspector = api_as("mlsp-2021-psc.psc-hall-inspector")
    case = open_case(inspector, regulation="mlsp-2021/technical-aids", category="disabled-person",
                     documents=["application"], entitlement={"item": "diapers"})
    inspector.client.cookies["qyzmet_language"] = "kk"
    response = inspector.client.post(f"/api/v1/tasks/{case['tasks'][0]['id']}/complete", {},
                                     content_type="application/json", headers={
                                         **inspector.headers, "Accept-Language": "ru"})
    found = error(response, 409)
    assert found["message"].startswith("Missing: ") and "refuse acceptance" in found["message"]
