"""The replacement check (core.entitlement), every date worked out by hand on the calendar.

"Not replaced earlier than N years from receipt": the same date N years later, or the last day of the month
when that date does not exist; on that date the item may be received again."""

from __future__ import annotations

import datetime as dt

import pytest

from qyzmet.core.entitlement import Decision, Findings, Received, add_period, check, indications
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.norms import Entitlements, Period, parse_period

D = dt.date
ANY = ["disabled-person"]


@pytest.fixture(scope="module")
def wheelchairs() -> Entitlements:
    return shipped_catalog().get("mlsp-2021/mobility-means").entitlements


def synthetic(**extra) -> Entitlements:
    """A small table with the shapes the acts use, independent of the shipped data."""
    return Entitlements.model_validate({
        "categories": [{"code": "disabled-person", "name": {"en": "any"}},
                       {"code": "child", "name": {"en": "child"}, "minor": True},
                       {"code": "gpw", "name": {"en": "GPW"}, "applicant_categories": ["wwii-veteran"]},
                       {"code": "group-3", "name": {"en": "III"}}],
        "items": [
            {"code": "half-year", "group": "prosthesis", "name": {"en": "six months"},
             "norms": [{"replace_after": "6 months", "cite": "cl. 1"}]},
            {"code": "prosthesis", "group": "prosthesis", "name": {"en": "prosthesis"},
             "norms": [{"replace_after": "3 years", "cite": "cl. 45"},
                       {"categories": ["child"], "replace_after": "2 years", "cite": "cl. 45"}]},
            {"code": "shoes", "group": "footwear", "unit": "pair", "name": {"en": "shoes"},
             "norms": [{"categories": ["gpw"], "quantity": 2, "replace_after": "1 year", "cite": "cl. 52"},
                       {"categories": ["disabled-person"], "quantity": 1, "replace_after": "1 year",
                        "payment": "discount", "discount_percent": 50, "cite": "cl. 52"},
                       {"categories": ["group-3"], "payment": "own-expense", "cite": "cl. 57"}]},
            {"code": "diapers", "group": "hygiene", "name": {"en": "diapers"},
             "norms": [{"quantity": 730, "per": "calendar-year", "formula": "2 a day × 365 days",
                        "quarters": [200, 200, 200, 130], "cite": "cl. 102"}]},
            {"code": "braille-alphabet", "group": "vision", "name": {"en": "alphabet"},
             "norms": [{"once_per_lifetime": True, "cite": "cl. 100"}]},
            {"code": "leg", "group": "prosthesis", "name": {"en": "leg"},
             "norms": [{"replace_after": "1 year", "cite": "cl. 44"}]},
        ],
        "rules": [{"code": "two-at-once", "kind": "double-period", "items": ["leg"], "text": {"en": "x"},
                   "cite": "cl. 46"},
                  {"code": "commission", "kind": "early-replacement", "items": ["prosthesis"], "text": {"en": "x"},
                   "cite": "cl. 50"},
                  {"code": "extend", "kind": "extension", "items": ["prosthesis"], "text": {"en": "x"},
                   "cite": "cl. 50"}],
        **extra,
    })


@pytest.mark.parametrize(("received", "period", "expected"), [
    (D(2024, 2, 29), "1 year", D(2025, 2, 28)),  # no 29 February in 2025: the last day of February
    (D(2024, 2, 29), "4 years", D(2028, 2, 29)),  # a leap year again
    (D(2020, 2, 29), "7 years", D(2027, 2, 28)),
    (D(2025, 8, 31), "6 months", D(2026, 2, 28)),  # February has no 31st
    (D(2023, 8, 31), "6 months", D(2024, 2, 29)),  # …and in a leap year its last day is the 29th
    (D(2025, 1, 31), "1 month", D(2025, 2, 28)),
    (D(2025, 3, 31), "1 month", D(2025, 4, 30)),
    (D(2025, 12, 15), "2 years", D(2027, 12, 15)),
])
def test_n_years_from_receipt(received, period, expected):
    assert add_period(received, parse_period(period)) == expected


@pytest.mark.parametrize("bad", ["7", 7, "seven years", "0 years", "7 weeks", ""])
def test_a_period_needs_a_number_and_a_unit(bad):
    with pytest.raises(ValueError):
        parse_period(bad)


def test_walking_wheelchair_three_years_after_is_refused_four_years_after_given(wheelchairs):
    last = [Received("wheelchair-manual-walking", D(2022, 5, 12))]
    early = check(wheelchairs, "wheelchair-manual-walking", ANY, D(2025, 5, 12), last)
    assert (early.allowed, early.reason, early.earliest, early.cite) == (False, "too-early", D(2026, 5, 12), "cl. 26")
    assert check(wheelchairs, "wheelchair-manual-walking", ANY, D(2026, 5, 11), last).allowed is False
    later = check(wheelchairs, "wheelchair-manual-walking", ANY, D(2026, 5, 12), last)
    assert (later.allowed, later.reason) == (True, "period-passed")


def test_a_lever_drive_walking_chair_replaces_the_manual_one(wheelchairs):
    """Both are walking chairs: the 4 years of the one held count (cl. 26)."""
    last = [Received("wheelchair-manual-walking", D(2023, 1, 31))]
    a = check(wheelchairs, "wheelchair-lever-walking", ANY, D(2025, 6, 1), last)
    assert (a.allowed, a.earliest) == (False, D(2027, 1, 31))


def test_a_room_chair_is_not_the_walking_chairs_period(wheelchairs):
    """Room + walking is one set: a room chair held does not delay the walking one."""
    last = [Received("wheelchair-manual-room", D(2024, 6, 1))]
    assert check(wheelchairs, "wheelchair-manual-walking", ANY, D(2025, 6, 1), last).allowed
    a = check(wheelchairs, "wheelchair-manual-room", ANY, D(2025, 6, 1), last)
    assert (a.allowed, a.earliest) == (False, D(2031, 6, 1))  # 7 years


def test_a_universal_chair_excludes_the_room_and_walking_set(wheelchairs):
    """One set or the other (cl. 26): a universal chair received on a leap day blocks a room chair for 5
    years, to 28 February 2029."""
    last = [Received("wheelchair-active-universal", D(2024, 2, 29))]
    a = check(wheelchairs, "wheelchair-manual-room", ANY, D(2026, 1, 1), last)
    assert (a.allowed, a.reason, a.earliest, a.blocked_by) == (False, "other-set-held", D(2029, 2, 28),
                                                               "wheelchair-active-universal")
    assert check(wheelchairs, "wheelchair-manual-room", ANY, D(2029, 2, 28), last).allowed


def test_the_childrens_chair_is_for_children_only(wheelchairs):
    assert check(wheelchairs, "wheelchair-children-universal", ANY, D(2026, 1, 1)).reason == "not-entitled"
    assert check(wheelchairs, "wheelchair-children-universal", ["child"], D(2026, 1, 1)).allowed


def test_the_most_favourable_norm_answers():
    """Children: 2 years instead of 3 (cl. 45)."""
    ent = synthetic()
    last = [Received("prosthesis", D(2024, 3, 1))]
    assert check(ent, "prosthesis", ["disabled-person"], D(2026, 3, 1), last).earliest == D(2027, 3, 1)
    child = check(ent, "prosthesis", ["disabled-person", "child"], D(2026, 3, 1), last)
    assert child.allowed and child.reason == "period-passed"


def test_a_quantity_within_the_period():
    """GPW: 2 pairs within a year of receipt; the third waits until the first pair's year has passed."""
    ent = synthetic()
    pairs = [Received("shoes", D(2025, 3, 10)), Received("shoes", D(2025, 9, 1))]
    a = check(ent, "shoes", ["gpw"], D(2026, 1, 5), pairs)
    assert (a.allowed, a.reason, a.earliest, a.used, a.limit) == (False, "quantity-used", D(2026, 3, 10), 2, 2)
    one = check(ent, "shoes", ["gpw"], D(2026, 1, 5), pairs[:1])
    assert (one.allowed, one.reason, one.remaining) == (True, "quantity-left", 1)
    # Any other recipient: one pair a year, at a 50 % discount.
    other = check(ent, "shoes", ["disabled-person"], D(2026, 1, 5), pairs[1:])
    assert (other.allowed, other.earliest) == (False, D(2026, 9, 1))
    assert check(ent, "shoes", ["disabled-person"], D(2026, 9, 1), pairs[1:]).payment == "discount"


def test_own_expense_is_a_no():
    a = check(synthetic(), "shoes", ["group-3"], D(2026, 1, 5))
    assert (a.allowed, a.reason, a.cite) == (False, "own-expense", "cl. 57")


def test_a_yearly_norm_counts_the_calendar_year():
    ent = synthetic()
    taken = [Received("diapers", D(2026, 2, 1), 200), Received("diapers", D(2026, 5, 1), 200),
             Received("diapers", D(2026, 8, 1), 200), Received("diapers", D(2025, 11, 1), 130)]
    last_quarter = check(ent, "diapers", ANY, D(2026, 11, 1), taken, quantity=130)
    assert (last_quarter.allowed, last_quarter.remaining) == (True, 130)
    too_many = check(ent, "diapers", ANY, D(2026, 11, 1), taken, quantity=200)
    assert (too_many.allowed, too_many.earliest, too_many.used) == (False, D(2027, 1, 1), 600)
    assert check(ent, "diapers", ANY, D(2026, 1, 2), taken, quantity=730).allowed is True  # 2025 does not count
    assert check(ent, "diapers", ANY, D(2026, 1, 2), taken, quantity=731).earliest is None


def test_once_in_a_lifetime():
    ent = synthetic()
    a = check(ent, "braille-alphabet", ANY, D(2040, 1, 1), [Received("braille-alphabet", D(2020, 1, 1))])
    assert (a.allowed, a.reason, a.earliest) == (False, "lifetime-used", None)


def test_two_prostheses_at_once_run_for_two_periods():
    """Cl. 46: main and spare received the same day are replaced after two periods (2 × 1 year)."""
    ent = synthetic()
    pair = [Received("leg", D(2024, 5, 1), 2)]
    a = check(ent, "leg", ANY, D(2025, 5, 2), pair)
    assert (a.allowed, a.earliest) == (False, D(2026, 5, 1))
    single = check(ent, "leg", ANY, D(2025, 5, 1), [Received("leg", D(2024, 5, 1))])
    assert single.allowed


def test_a_commissions_decisions_move_the_date():
    ent = synthetic()
    last = [Received("prosthesis", D(2025, 1, 10))]
    early = check(ent, "prosthesis", ANY, D(2026, 2, 1), last,
                  decisions=[Decision("prosthesis", "early-replacement", D(2026, 1, 20), cite="cl. 50")])
    assert (early.allowed, early.reason, early.cite) == (True, "early-decision", "cl. 50")
    # A decision made before the last receipt was used by it.
    stale = check(ent, "prosthesis", ANY, D(2026, 2, 1), last,
                  decisions=[Decision("prosthesis", "early-replacement", D(2024, 12, 1), cite="cl. 50")])
    assert stale.allowed is False
    extended = check(ent, "prosthesis", ANY, D(2028, 2, 1), last,
                     decisions=[Decision("prosthesis", "extension", D(2027, 12, 1), D(2028, 6, 30), "cl. 50")])
    assert (extended.allowed, extended.reason, extended.earliest) == (False, "extended", D(2028, 6, 30))


def test_an_unknown_item():
    assert check(synthetic(), "jetpack", ANY, D(2026, 1, 1)).reason == "unknown-item"


def test_indications_flag_the_row(wheelchairs):
    """Annex 2 row 4: the electric chair is contraindicated under 6 and with epileptic seizures."""
    f = Findings(conditions=frozenset({"upper-limb-impairment", "active-lifestyle", "epilepsy-unconscious"}), age=5)
    flags = indications(wheelchairs, "wheelchair-electric-universal", f)
    kinds = {(fl.row, fl.kind) for fl in flags}
    assert ("4", "ruled-out") in kinds and ("4", "unsupported") in kinds
    unsupported = next(fl for fl in flags if fl.kind == "unsupported")
    assert unsupported.unmet == (("age-min", "6"),) and unsupported.cite == "annex 2, row 4"
    ok = Findings(conditions=frozenset({"upper-limb-impairment", "active-lifestyle"}), age=30)
    assert [fl.kind for fl in indications(wheelchairs, "wheelchair-electric-universal", ok)] == ["note"]


def test_period_arithmetic():
    assert Period(2, "year").months == 24 and str(Period(1, "month")) == "1 month"


# --- the loader and the linter on norm tables ------------------------------------------------------------



def _mobility_text() -> str:

    from qyzmet.core.loader import CATALOG_ROOT

    return (CATALOG_ROOT / "mlsp-2021" / "mobility-means.yaml").read_text(encoding="utf-8")


def test_a_wear_period_without_a_unit_is_a_load_error_naming_the_line():
    from qyzmet.core.loader import RegulationLoadError, load_text

    text = _mobility_text().replace("        - replace_after: 7 years\n", "        - replace_after: 7\n", 1)
    line = text.splitlines().index("        - replace_after: 7") + 1
    with pytest.raises(RegulationLoadError) as caught:
        load_text(text, "mobility.yaml")
    problem = caught.value.problems[0]
    assert problem.line == line and "entitlements.items[0].norms[0].replace_after" in problem.field
    assert "has no unit" in problem.message


def _lint_codes(text: str) -> list[tuple[str, str]]:
    from qyzmet.core.lint import lint
    from qyzmet.core.loader import load_text

    return [(f.code, f.message) for f in lint(load_text(text, "x.yaml")) if f.severity == "error"]


def test_the_linter_checks_the_norm_arithmetic_and_the_codes():
    text = _mobility_text()
    with_hygiene = text.replace("""        - replace_after: 4 years
          cite: "cl. 26"
      cite: "cl. 26; annex 2, row 2\"""", """        - replace_after: 4 years
          cite: "cl. 26"
        - quantity: 2190
          per: calendar-year
          formula: "6 a day × 356 days"
          quarters: [600, 600, 600, 300]
          categories: [martian]
          cite: "cl. 102"
      cite: "cl. 26; annex 2, row 2\"""")
    assert with_hygiene != text
    found = _lint_codes(with_hygiene)
    messages = " | ".join(m for _c, m in found)
    assert "6 a day × 356 days is 2136, not the quantity 2190" in messages
    assert "add up to 2100, not the quantity 2190" in messages
    assert "category 'martian'" in messages
    broken = text.replace("ruled_out_by: [sitting-progression]\n", "ruled_out_by: [sitting-progresion]\n", 1)
    assert any("finding 'sitting-progresion'" in m for _c, m in _lint_codes(broken))
    assert _lint_codes(text) == []


# --- the shipped norm tables, worked by hand ------------------------------------------------------------------

@pytest.fixture(scope="module")
def prosthetic() -> Entitlements:
    return shipped_catalog().get("mlsp-2021/prosthetic-aid").entitlements


@pytest.fixture(scope="module")
def aids() -> Entitlements:
    return shipped_catalog().get("mlsp-2021/technical-aids").entitlements


def test_a_modern_prosthesis_three_years_a_childs_two(prosthetic):
    """Cl. 45: received 31 May 2023 — an adult's next from 31 May 2026, a child's from 31 May 2025."""
    last = [Received("modern-prosthesis", D(2023, 5, 31))]
    adult = check(prosthetic, "modern-prosthesis", ["disabled-person", "group-2"], D(2025, 6, 1), last)
    assert (adult.allowed, adult.earliest, adult.cite) == (False, D(2026, 5, 31), "cl. 45")
    child = check(prosthetic, "modern-prosthesis", ["disabled-person", "child"], D(2025, 5, 31), last)
    assert child.allowed and child.reason == "period-passed"


def test_two_modular_prostheses_at_once(prosthetic):
    """Cl. 44 and 46: two received on 29 February 2024 — replaced after two years, 28 February 2026."""
    pair = [Received("modular-prosthesis", D(2024, 2, 29), 2)]
    a = check(prosthetic, "modular-prosthesis", ["disabled-person"], D(2025, 3, 1), pair)
    assert (a.allowed, a.earliest) == (False, D(2026, 2, 28))


def test_complex_orthopaedic_footwear_by_category(prosthetic):
    """Cl. 52, 54, 59: a pair received 31 January 2025; boots count as the shoes they replace."""
    shoes = "orthopaedic-footwear-complex"
    one = [Received(shoes, D(2025, 1, 31))]
    group1 = check(prosthetic, shoes, ["group-1"], D(2025, 12, 1), one)
    assert (group1.allowed, group1.earliest) == (False, D(2026, 1, 31))
    gpw = check(prosthetic, shoes, ["group-2", "gpw"], D(2025, 12, 1), one)  # two pairs a year
    assert (gpw.allowed, gpw.reason, gpw.remaining, gpw.payment) == (True, "quantity-left", 1, "free")
    boots = check(prosthetic, "boots-instead-of-orthopaedic", ["group-1"], D(2025, 12, 1), one)
    assert (boots.allowed, boots.earliest) == (False, D(2026, 1, 31))
    general = check(prosthetic, shoes, ["group-3-general"], D(2026, 2, 1), one)
    assert (general.allowed, general.payment, general.norm.discount_percent) == (True, "discount", 50)
    assert check(prosthetic, shoes, ["group-3"], D(2026, 2, 1)).reason == "not-entitled"
    assert check(prosthetic, "prosthesis-footwear", ["group-3"], D(2026, 2, 1)).reason == "own-expense"


def test_self_care_devices_five_years(prosthetic):
    last = [Received("key-holder", D(2021, 8, 31))]
    assert check(prosthetic, "key-holder", ["disabled-person"], D(2026, 8, 30), last).earliest == D(2026, 8, 31)


def test_hygiene_means_by_the_calendar_year(aids):
    """Cl. 102: 730 diapers a year, 200 in each of the first three quarters and 130 in the last."""
    year = [Received("diapers", D(2026, 1, 10), 200), Received("diapers", D(2026, 4, 10), 200),
            Received("diapers", D(2026, 7, 10), 200)]
    assert check(aids, "diapers", ["disabled-person"], D(2026, 10, 10), year, quantity=130).allowed
    over = check(aids, "diapers", ["disabled-person"], D(2026, 10, 10), year, quantity=131)
    assert (over.allowed, over.earliest, over.remaining) == (False, D(2027, 1, 1), 130)
    catheters = "disposable-catheters-spina-bifida"
    assert check(aids, catheters, ["disabled-person"], D(2026, 1, 1)).reason == "not-entitled"
    assert check(aids, catheters, ["disabled-person", "child"], D(2026, 1, 1), quantity=2190).allowed


def test_hearing_service_every_three_years_for_gpw_four_for_others(aids):
    last = [Received("hearing-aid-service", D(2023, 3, 15))]
    assert check(aids, "hearing-aid-service", ["disabled-person"], D(2026, 3, 15), last).earliest == D(2027, 3, 15)
    assert check(aids, "hearing-aid-service", ["disabled-person", "gpw"], D(2026, 3, 15), last).allowed


def test_vision_means_for_groups_one_two_and_children(aids):
    assert check(aids, "white-cane", ["group-3"], D(2026, 1, 1)).reason == "not-entitled"
    last = [Received("white-cane", D(2024, 2, 29))]
    assert check(aids, "white-cane", ["group-1"], D(2026, 2, 27), last).earliest == D(2026, 2, 28)
    alphabet = [Received("braille-alphabet", D(2010, 1, 1))]
    assert check(aids, "braille-alphabet", ["child"], D(2026, 1, 1), alphabet).reason == "lifetime-used"


def test_test_strips_come_with_the_glucometer(aids):
    """Cl. 100: 300 strips in the talking glucometer's kit; after that at the recipient's own expense."""
    kit = [Received("talking-glucometer", D(2024, 1, 1)), Received("glucometer-test-strips", D(2024, 1, 1), 300)]
    strips = check(aids, "glucometer-test-strips", ["group-1"], D(2025, 6, 1), kit, quantity=300)
    assert (strips.allowed, strips.earliest) == (False, D(2029, 1, 1))
    assert check(aids, "glucometer-test-strips", ["group-1"], D(2025, 6, 1), [], quantity=301).allowed is False


def test_catalog_show_prints_the_norm_tables(capsys):
    from qyzmet.cli import main

    assert main(["catalog", "show", "mlsp-2021/mobility-means", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert "Нормы обеспечения:" in out
    assert "Кресло-коляска базовая прогулочная с ручным приводом (1)\n      всем: замена не ранее 4 лет со дня " \
           "получения; бесплатно [cl. 26]" in out
    assert main(["catalog", "show", "mlsp-2021/technical-aids", "--lang", "kk"]) == 0
    assert "күнтізбелік жыл ішінде 730; тегін; 200 + 200 + 200 + 130" in capsys.readouterr().out


# --- found in review -----------------------------------------------------------------------------------------

def test_two_receipts_ending_the_same_day_do_not_break_the_check(prosthetic):
    same = [Received("cane-single", D(2025, 1, 10), 1, "order"), Received("cane-single", D(2025, 1, 10), 1, "record")]
    assert check(prosthetic, "cane-single", ["disabled-person"], D(2025, 6, 1), same).earliest == D(2026, 1, 10)


def test_an_extension_never_moves_the_date_earlier():
    ent = synthetic()
    last = [Received("prosthesis", D(2025, 1, 10))]
    a = check(ent, "prosthesis", ANY, D(2025, 4, 1), last,
              decisions=[Decision("prosthesis", "extension", D(2025, 3, 1), D(2025, 6, 1), "cl. 50")])
    assert (a.reason, a.earliest) == ("extended", D(2028, 1, 10))


def test_the_other_sets_later_date_wins_when_both_say_no(wheelchairs):
    """Walking chair received 1.1.2022 (4 years: 1.1.2026), universal 1.6.2023 (5 years: 1.6.2028)."""
    history = [Received("wheelchair-manual-walking", D(2022, 1, 1)),
               Received("wheelchair-active-universal", D(2023, 6, 1))]
    a = check(wheelchairs, "wheelchair-manual-walking", ANY, D(2025, 6, 1), history)
    assert (a.reason, a.earliest) == ("other-set-held", D(2028, 6, 1))
