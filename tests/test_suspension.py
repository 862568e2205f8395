"""Suspending a term: refused where the act allows no suspension (every act of the catalog says so or is
silent), and, where an act gives a ground, every due date moves by the working time the case stood still."""

from __future__ import annotations

import datetime as dt

import pytest

from qyzmet.core import engine
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.regulation import Ground, Suspension, Text

UNEMPLOYED = "ulytau-2012/unemployed-registration"


def at(day: int, month: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=ALMATY)


def with_ground():
    """The act itself gives no ground (cl. 10); a ground is added here to exercise the rule."""
    reg = shipped_catalog().get(UNEMPLOYED)
    ground = Ground(code="expert-opinion", text=Text(kk="сараптама", ru="экспертиза", en="expert opinion"),
                    cite="cl. 99")
    return reg.model_copy(update={"suspension": Suspension(grounds=(ground,), cite="cl. 99")})


def accepted(reg):
    category = reg.categories[0]
    state, _ = engine.apply(reg, None, engine.Submit("main", make_iin(dt.date(1980, 1, 2), "male", 1),
                                                     category.code, tuple(category.documents)), at(19, 3, 10))
    state, _ = engine.apply(reg, state, engine.CompleteStep(1), at(19, 3, 10, 10))
    return state


def test_the_due_dates_move_by_the_working_time_suspended():
    """Submitted Wed 19.03.2025 10:00: 10 working days from Thu 20.03 on the Mon-Fri 09-18 (lunch 13-14)
    schedule, with 21, 24 and 25 March closed for Nauryz: 20.03, 26, 27, 28, 31, 1.04, 2, 3, 4, 7 → due
    07.04.2025 18:00.  Suspended Thu 27.03 11:00 to Tue 01.04 15:00: 27.03 11-13 and 14-18 (6 h), 28.03 and
    31.03 (8 h each), 01.04 09-13 and 14-15 (5 h) = 27 h.  07.04 18:00 + 27 h: 08, 09, 10 April (24 h) and
    3 h of 11.04 → due 11.04.2025 12:00; the open step's due moves the same way."""
    reg = with_ground()
    state = accepted(reg)
    assert state.term_due == at(7, 4, 18)
    state, effects = engine.apply(reg, state, engine.Suspend("expert-opinion", note="sent to the expert"),
                                  at(27, 3, 11))
    with pytest.raises(engine.EngineError, match="suspended since 2025-03-27 11:00"):
        engine.apply(reg, state, engine.CompleteStep(2), at(28, 3, 10))
    state, effects = engine.apply(reg, state, engine.Resume(), at(1, 4, 15))
    assert state.term_due == at(11, 4, 12) and state.step_due == at(11, 4, 12)
    why = next(e.data["why"] for e in effects if e.kind == "term-set")
    assert "moved by 27 h 00 min" in why and "cl. 99" in why
    assert [(r.ground, r.seconds) for r in state.suspensions] == [("expert-opinion", 27 * 3600)]
    # The log replays to the same dates.
    assert engine.state_from_dict(engine.state_to_dict(state)) == state


def test_a_suspension_over_a_weekend_and_holidays_moves_nothing_it_did_not_stop():
    """Suspended Fri 28.03 18:00 (closing) to Mon 31.03 09:00 (opening): no working time in between."""
    reg = with_ground()
    state = accepted(reg)
    state, _ = engine.apply(reg, state, engine.Suspend("expert-opinion"), at(28, 3, 18))
    state, _ = engine.apply(reg, state, engine.Resume(), at(31, 3, 9))
    assert state.term_due == at(7, 4, 18)


@pytest.mark.parametrize("reg_id", ["ulytau-2012/unemployed-registration", "mlsp-2021/sign-language",
                                    "mangystau-2015/phc-certificate"])
def test_an_act_without_grounds_refuses_suspension_with_its_words(reg_id):
    reg = shipped_catalog().get(reg_id)
    with pytest.raises(engine.EngineError, match="gives no ground to suspend the term") as exc:
        engine.apply(reg, engine.CaseState(reg.id, reg.version, reg.content_hash, "main", "provider", "", "any",
                                           (), at(19, 3, 10), status=engine.Status.IN_PROGRESS,
                                           term_due=at(1, 4, 18)),
                     engine.Suspend("anything"), at(20, 3, 10))
    if reg.suspension is not None and reg.suspension.note is not None:
        assert reg.suspension.cite in str(exc.value)


def test_a_ground_the_act_does_not_give_is_refused():
    reg = with_ground()
    with pytest.raises(engine.EngineError, match="not a suspension ground"):
        engine.apply(reg, accepted(reg), engine.Suspend("holiday-mood"), at(20, 3, 10))


def test_the_staff_and_the_api_get_the_acts_refusal(api_as, demo_offices):
    """Ulytau's unemployed registration says "there are no grounds for suspending" (cl. 10): a 409 naming it."""
    api = api_as("ulytau-2012-provider.specialist")
    iin = make_iin(dt.date(1985, 4, 4), "female", 7)
    created = api.post("/cases", {"regulation": UNEMPLOYED, "category": "citizen",
                                  "documents": list(shipped_catalog().get(UNEMPLOYED).category("citizen").documents),
                                  "applicant": {"iin": iin, "name": "Серікова Айгүл"}})
    assert created.status_code == 201, created.json()
    case = created.json()
    task = case["tasks"][0]["id"]
    assert api.post(f"/tasks/{task}/complete", {}).status_code in (200, 201)
    response = api.post(f"/cases/{case['id']}/suspend", {"ground": "x", "note": "waiting for a reply"})
    assert response.status_code == 409
    assert "cl. 10" in response.json()["error"]["message"]
    assert api.post(f"/cases/{case['id']}/suspend", {"ground": "x"}).status_code == 422  # no note: field named
