"""IIN/BIN validation: the check-digit algorithm, decoding, every rejection reason, the CLI."""

from __future__ import annotations

import argparse
import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.core.iin import (
    BinInfo,
    IinInfo,
    InvalidIdentifier,
    check_digit,
    format_info,
    make_iin,
    parse_bin,
    parse_identifier,
    parse_iin,
)

D = datetime.date
TODAY = D(2025, 6, 1)  # fixed so "future birth date" tests do not drift

# 1985-03-21, female (digit 4 = 1900s female), serial 0123.
#   digits   8  5  0  3  2  1  4  0  1  2  3
#   weights  1  2  3  4  5  6  7  8  9 10 11
#   products 8 10  0 12 10  6 28  0  9 20 33  -> sum 136 = 12*11 + 4 -> check digit 4
IIN_FEMALE_1985 = "850321401234"

# First pass gives 10, so the second weights decide:
#   digits   8  5  0  3  2  1  4  0  0  9  0
#   w1       1  2  3  4  5  6  7  8  9 10 11 -> 8+10+0+12+10+6+28+0+0+90+0 = 164 = 14*11 + 10
#   w2       3  4  5  6  7  8  9 10 11  1  2 -> 24+20+0+18+14+8+36+0+0+9+0 = 129 = 11*11 + 8
IIN_SECOND_PASS = "850321400908"

# Both passes give 10 (each sum is the one above plus the last digit's weight):
#   w1: 164 + 11 = 175 = 15*11 + 10;  w2: 129 + 2 = 131 = 11*11 + 10
IMPOSSIBLE_PREFIX = "85032140091"

# BIN registered 2005-03, resident legal entity (4), head organisation (0), serial 00012:
#   0*1+5*2+0*3+3*4+4*5+0*6+0*7+0*8+0*9+1*10+2*11 = 74 = 6*11 + 8 -> check digit 8
BIN_2005 = "050340000128"


def _complete(prefix11: str) -> str:
    """Append the right check digit, so a test isolates the one defect it is about."""
    digit = check_digit(prefix11)
    assert digit is not None, prefix11
    return prefix11 + str(digit)


def _reason(s: str, parse=parse_iin) -> str:
    with pytest.raises(InvalidIdentifier) as exc_info:
        parse(s, today=TODAY)
    return str(exc_info.value)


# --- check digit --------------------------------------------------------------------------


def test_check_digit_first_pass():
    assert check_digit(IIN_FEMALE_1985[:11]) == 4
    assert check_digit(BIN_2005[:11]) == 8


def test_check_digit_second_pass():
    assert check_digit(IIN_SECOND_PASS[:11]) == 8


def test_check_digit_impossible():
    assert check_digit(IMPOSSIBLE_PREFIX) is None


@pytest.mark.parametrize("bad", ["", "1234567890", "123456789012", "1234567890a"])
def test_check_digit_wants_eleven_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


# --- valid IINs ---------------------------------------------------------------------------


def test_parse_iin_hand_computed():
    assert parse_iin(IIN_FEMALE_1985, today=TODAY) == IinInfo(
        value=IIN_FEMALE_1985,
        birth_date=D(1985, 3, 21),
        sex="female",
        century=1900,
        serial="0123",
        check_digit=4,
    )


def test_parse_iin_second_pass_is_accepted():
    info = parse_iin(IIN_SECOND_PASS, today=TODAY)
    assert info.check_digit == 8
    assert info.serial == "0090"


def test_surrounding_whitespace_is_stripped():
    assert parse_iin(f"  {IIN_FEMALE_1985}\n", today=TODAY).value == IIN_FEMALE_1985


def test_default_today_is_the_real_today():
    assert parse_iin(IIN_FEMALE_1985).birth_date == D(1985, 3, 21)


@pytest.mark.parametrize(
    ("digit", "century", "sex"),
    [
        ("1", 1800, "male"),
        ("2", 1800, "female"),
        ("3", 1900, "male"),
        ("4", 1900, "female"),
        ("5", 2000, "male"),
        ("6", 2000, "female"),
    ],
)
def test_century_sex_digit(digit, century, sex):
    info = parse_iin(_complete(f"010203{digit}0001"), today=TODAY)
    assert (info.century, info.sex, info.birth_date) == (century, sex, D(century + 1, 2, 3))


@pytest.mark.parametrize(
    ("prefix", "born"),
    [
        ("0002295", D(2000, 2, 29)),  # 2000 is a leap year (divisible by 400)
        ("9602293", D(1996, 2, 29)),
        ("0402291", D(1804, 2, 29)),
    ],
)
def test_feb_29_in_leap_years(prefix, born):
    assert parse_iin(_complete(prefix + "0001"), today=TODAY).birth_date == born


@pytest.mark.parametrize(
    ("prefix", "year"),
    [
        ("0002293", 1900),  # same YYMMDD as 2000-02-29, but 1900 is not a leap year
        ("0002291", 1800),
        ("9702293", 1997),
    ],
)
def test_feb_29_in_common_years(prefix, year):
    assert _reason(_complete(prefix + "0001")) == f"day 29 is not a valid day in February {year}"


def test_born_today_is_fine_born_tomorrow_is_not():
    iin = make_iin(TODAY, "male", 1)
    assert parse_iin(iin, today=TODAY).birth_date == TODAY
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert _reason(make_iin(tomorrow, "male", 1)) == f"birth date {tomorrow.isoformat()} is in the future"


# --- every rejection reason ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "reason"),
    [
        (IIN_FEMALE_1985[:11], "IIN must be 12 digits, got 11"),
        (IIN_FEMALE_1985 + "0", "IIN must be 12 digits, got 13"),
        ("", "IIN must be 12 digits, got 0"),
        ("   ", "IIN must be 12 digits, got 0"),
        ("85032140123a", "IIN must contain only digits, found 'a' at position 12"),
        ("850321 401234", "IIN must contain only digits, found ' ' at position 7"),
        ("8503-21401234", "IIN must contain only digits, found '-' at position 5"),
        ("٨٥٠٣٢١٤٠١٢٣٤", "IIN must contain only digits, found '٨' at position 1"),  # Arabic-Indic
        (IIN_FEMALE_1985[:11] + "5", "check digit is 5, expected 4"),
        (
            IMPOSSIBLE_PREFIX + "0",
            f"no check digit exists for {IMPOSSIBLE_PREFIX} (both weighting passes give 10)",
        ),
        (_complete("8503210" + "0001"), "century/sex digit 0 is not one of 1-6"),
        (_complete("8503219" + "0001"), "century/sex digit 9 is not one of 1-6"),
        (_complete("8513214" + "0001"), "month 13 is not a valid month"),
        (_complete("8500214" + "0001"), "month 0 is not a valid month"),
        (_complete("8501004" + "0001"), "day 0 is not a valid day in January 1985"),
        (_complete("8501324" + "0001"), "day 32 is not a valid day in January 1985"),
        (_complete("8504314" + "0001"), "day 31 is not a valid day in April 1985"),
        (_complete("8502304" + "0001"), "day 30 is not a valid day in February 1985"),
        (_complete("3001015" + "0001"), "birth date 2030-01-01 is in the future"),
    ],
)
def test_iin_rejection_reasons(s, reason):
    assert _reason(s) == reason


def test_invalid_identifier_is_a_value_error_with_one_line():
    with pytest.raises(ValueError) as exc_info:
        parse_iin("12\n34", today=TODAY)
    assert isinstance(exc_info.value, InvalidIdentifier)
    assert "\n" not in str(exc_info.value)


# --- BIN ----------------------------------------------------------------------------------


def test_parse_bin_hand_computed():
    assert parse_bin(BIN_2005, today=TODAY) == BinInfo(
        value=BIN_2005,
        registered_year=2005,
        registered_month=3,
        entity_type="resident legal entity",
        division="head organisation",
        serial="00012",
        check_digit=8,
    )


@pytest.mark.parametrize(
    ("digit", "name"),
    [
        ("4", "resident legal entity"),
        ("5", "non-resident legal entity"),
        ("6", "individual entrepreneur (joint)"),
    ],
)
def test_bin_entity_types(digit, name):
    assert parse_bin(_complete(f"1107{digit}000001")).entity_type == name


@pytest.mark.parametrize(
    ("digit", "name"),
    [
        ("0", "head organisation"),
        ("1", "branch"),
        ("2", "representative office"),
        ("3", "peasant (farm) enterprise"),
    ],
)
def test_bin_divisions(digit, name):
    assert parse_bin(_complete(f"11074{digit}00001")).division == name


def test_bin_second_pass():
    assert parse_bin(_complete("05034000180"), today=TODAY).check_digit == 8


def test_bin_two_digit_year_is_not_in_the_future():
    bin_ = _complete("9812400" + "0001")
    assert parse_bin(bin_, today=TODAY).registered_year == 1998
    assert parse_bin(_complete("2512400" + "0001"), today=TODAY).registered_year == 2025
    assert parse_bin(_complete("2612400" + "0001"), today=TODAY).registered_year == 1926


@pytest.mark.parametrize(
    ("s", "reason"),
    [
        (BIN_2005[:10], "BIN must be 12 digits, got 10"),
        ("0503x0000128", "BIN must contain only digits, found 'x' at position 5"),
        (_complete("0503200" + "0002"), "entity type digit 2 is not one of 4-6"),
        (_complete("0503470" + "0001"), "division digit 7 is not one of 0-3"),
        (_complete("0513400" + "0001"), "month 13 is not a valid month"),
        (_complete("0500400" + "0001"), "month 0 is not a valid month"),
        (BIN_2005[:11] + "0", "check digit is 0, expected 8"),
    ],
)
def test_bin_rejection_reasons(s, reason):
    assert _reason(s, parse_bin) == reason


# --- parse_identifier ---------------------------------------------------------------------


def test_parse_identifier_dispatches_on_fifth_digit():
    assert isinstance(parse_identifier(IIN_FEMALE_1985, today=TODAY), IinInfo)
    assert isinstance(parse_identifier(f" {BIN_2005} ", today=TODAY), BinInfo)


def test_parse_identifier_reasons():
    assert _reason("123", parse_identifier) == "IIN/BIN must be 12 digits, got 3"
    assert _reason("12345678901x", parse_identifier) == (
        "IIN/BIN must contain only digits, found 'x' at position 12"
    )
    # 5th digit 7-9 is neither a BIN type nor a day's first digit; it is reported as a bad day.
    bad_day = _complete("0503704" + "0001")
    assert _reason(bad_day, parse_identifier) == "day 70 is not a valid day in March 1905"


# --- make_iin -----------------------------------------------------------------------------


def test_make_iin_skips_impossible_serial():
    # Serial 0091 on 1985-03-21 (female) is IMPOSSIBLE_PREFIX; 0092 gives 186 -> 10, then 133 -> 1.
    assert make_iin(D(1985, 3, 21), "female", 91) == "850321400921"
    assert make_iin(D(1985, 3, 21), "female", 123) == IIN_FEMALE_1985


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((D(1799, 12, 31), "male", 1), "cannot encode year 1799"),
        ((D(2100, 1, 1), "male", 1), "cannot encode year 2100"),
        ((D(1985, 1, 1), "m", 1), "sex must be"),
        ((D(1985, 1, 1), "male", -1), "serial must be 0-9999"),
        ((D(1985, 1, 1), "male", 10_000), "serial must be 0-9999"),
    ],
)
def test_make_iin_rejects(args, message):
    with pytest.raises(ValueError, match=message):
        make_iin(*args)


valid_iins = st.builds(
    make_iin,
    st.dates(D(1900, 1, 1), D(2024, 12, 31)),
    st.sampled_from(["male", "female"]),
    st.integers(0, 9998),
)


@given(st.dates(D(1900, 1, 1), D(2024, 12, 31)), st.sampled_from(["male", "female"]), st.integers(0, 9998))
def test_make_iin_round_trip(born, sex, serial):
    iin = make_iin(born, sex, serial)
    info = parse_iin(iin, today=TODAY)
    assert (info.birth_date, info.sex) == (born, sex)
    assert int(info.serial) in (serial, serial + 1)  # at most one bump past an impossible serial


# --- single-digit errors ------------------------------------------------------------------
#
# The Kazakh scheme does NOT catch every single-digit error: the 11th digit's first-pass
# weight is 11 = 0 (mod 11), so changing it leaves the check digit unchanged whenever the
# first pass decides; and a change that moves a number into or out of the second pass can
# land on the same check digit by chance.  The properties below state what does hold.


def _first_pass(prefix11: str) -> int:
    return sum(w * int(d) for w, d in zip(range(1, 12), prefix11, strict=True)) % 11


@given(valid_iins, st.integers(1, 9))
def test_changing_the_check_digit_is_always_caught(iin, delta):
    wrong = iin[:11] + str((int(iin[11]) + delta) % 10)
    with pytest.raises(InvalidIdentifier):
        parse_iin(wrong, today=TODAY)


@given(valid_iins, st.integers(0, 9), st.integers(1, 9))
def test_changing_digits_1_to_10_is_caught_when_the_first_pass_decides(iin, pos, delta):
    wrong = iin[:pos] + str((int(iin[pos]) + delta) % 10) + iin[pos + 1 :]
    if _first_pass(iin[:11]) == 10 or _first_pass(wrong[:11]) == 10:
        return  # second pass involved: a coincidental match is possible (see below)
    with pytest.raises(InvalidIdentifier):
        parse_iin(wrong, today=TODAY)


@given(valid_iins, st.integers(1, 9))
def test_changing_the_11th_digit_is_caught_only_when_the_second_pass_decides(iin, delta):
    wrong = iin[:10] + str((int(iin[10]) + delta) % 10) + iin[11]
    if _first_pass(iin[:11]) == 10:
        with pytest.raises(InvalidIdentifier):
            parse_iin(wrong, today=TODAY)
    else:
        assert parse_iin(wrong, today=TODAY).value == wrong  # the scheme's blind spot


def test_single_digit_change_undetected_examples():
    assert parse_iin("850321401224", today=TODAY)  # 11th digit of IIN_FEMALE_1985 changed 3 -> 2
    # 9th digit 0 -> 1 takes the prefix out of the second pass: 164 + 9 = 173 -> 8, same digit.
    assert parse_iin("850321401908", today=TODAY).check_digit == int(IIN_SECOND_PASS[11])


# --- format_info --------------------------------------------------------------------------


def test_format_info_iin():
    assert format_info(parse_iin(IIN_FEMALE_1985, today=TODAY)) == [
        ("kind", "IIN"),
        ("number", IIN_FEMALE_1985),
        ("birth date", "1985-03-21"),
        ("sex", "female"),
        ("century", "1900s"),
        ("serial", "0123"),
        ("check digit", "4"),
    ]


def test_format_info_bin():
    assert format_info(parse_bin(BIN_2005, today=TODAY)) == [
        ("kind", "BIN"),
        ("number", BIN_2005),
        ("registered", "2005-03"),
        ("entity type", "resident legal entity"),
        ("division", "head organisation"),
        ("serial", "00012"),
        ("check digit", "8"),
    ]


# --- CLI ----------------------------------------------------------------------------------


@pytest.fixture()
def run_cli(capsys):
    """Run ``qyzmet iin ...`` through a parser that holds only our command, to test it in isolation."""
    from qyzmet.cli import iin_cmd

    def run(*argv: str) -> tuple[int, str]:
        parser = argparse.ArgumentParser(prog="qyzmet")
        iin_cmd.register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(argv)
        code = args.func(args)
        return code, capsys.readouterr().out

    return run


def test_cli_text_valid(run_cli):
    code, out = run_cli("iin", "check", IIN_FEMALE_1985)
    assert code == 0
    assert out.splitlines() == [
        "kind: IIN",
        f"number: {IIN_FEMALE_1985}",
        "birth date: 1985-03-21",
        "sex: female",
        "century: 1900s",
        "serial: 0123",
        "check digit: 4",
    ]


def test_cli_text_bin(run_cli):
    code, out = run_cli("iin", "check", BIN_2005)
    assert code == 0
    assert "entity type: resident legal entity" in out.splitlines()


def test_cli_text_invalid_is_one_line(run_cli):
    code, out = run_cli("iin", "check", IIN_FEMALE_1985[:11] + "5")
    assert code == 1
    assert out == f"invalid IIN/BIN {IIN_FEMALE_1985[:11]}5: check digit is 5, expected 4\n"


def test_cli_text_invalid_with_newline_stays_one_line(run_cli):
    code, out = run_cli("iin", "check", "8503\n21401234")
    assert code == 1
    assert out.count("\n") == 1
    assert out.startswith("invalid IIN/BIN '8503\\n21401234': IIN/BIN must contain only digits")


def test_cli_json_valid(run_cli):
    code, out = run_cli("iin", "check", IIN_FEMALE_1985, "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "valid": True,
        "kind": "IIN",
        "value": IIN_FEMALE_1985,
        "birth_date": "1985-03-21",
        "sex": "female",
        "century": 1900,
        "serial": "0123",
        "check_digit": 4,
    }


def test_cli_json_bin(run_cli):
    code, out = run_cli("iin", "check", BIN_2005, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["valid"], data["kind"], data["registered_year"], data["division"]) == (
        True,
        "BIN",
        2005,
        "head organisation",
    )


def test_cli_json_invalid(run_cli):
    code, out = run_cli("iin", "check", "123", "--format", "json")
    assert code == 1
    assert json.loads(out) == {"valid": False, "reason": "IIN/BIN must be 12 digits, got 3"}


def test_cli_needs_the_check_subcommand(run_cli):
    with pytest.raises(SystemExit) as exc_info:
        run_cli("iin")
    assert exc_info.value.code == 2


def test_cli_through_qyzmet_main(capsys):
    from qyzmet.cli import main

    assert main(["iin", "check", IIN_FEMALE_1985]) == 0
    assert "birth date: 1985-03-21" in capsys.readouterr().out
    assert main(["iin", "check", IIN_FEMALE_1985[:11] + "5"]) == 1
    out = capsys.readouterr().out
    assert out == f"invalid IIN/BIN {IIN_FEMALE_1985[:11]}5: check digit is 5, expected 4\n"
