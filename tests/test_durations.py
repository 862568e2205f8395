import pytest

from qyzmet.core.durations import Duration, DurationError, Unit, parse_duration


@pytest.mark.parametrize("text, amount, unit", [
    ("15 minutes", 15, Unit.MINUTE),
    ("1 hour", 1, Unit.HOUR),
    ("10 working days", 10, Unit.WORKING_DAY),
    ("20 calendar days", 20, Unit.CALENDAR_DAY),
    ("15 минут", 15, Unit.MINUTE),
    ("1 час", 1, Unit.HOUR),
    ("10 рабочих дней", 10, Unit.WORKING_DAY),
    ("1 рабочий день", 1, Unit.WORKING_DAY),
    ("20 календарных дней", 20, Unit.CALENDAR_DAY),
    ("2 жұмыс күні", 2, Unit.WORKING_DAY),
    ("он (10) жұмыс күні", 10, Unit.WORKING_DAY),
    ("жиырма күнтізбелік күн", 20, Unit.CALENDAR_DAY),
    ("30 минут", 30, Unit.MINUTE),
    ("1 сағат", 1, Unit.HOUR),
])
def test_the_acts_wording_is_read(text, amount, unit):
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize("text", ["", "ten", "5 weeks", "days", "10 days"])
def test_unreadable_durations_are_refused_with_the_text_quoted(text):
    with pytest.raises(DurationError) as err:
        parse_duration(text)
    assert repr(text) in str(err.value) or text == ""


def test_durations_print_as_they_are_written():
    assert str(Duration(1, Unit.WORKING_DAY)) == "1 working day"
    assert str(Duration(3, Unit.CALENDAR_DAY)) == "3 calendar days"
    assert Duration(2, Unit.HOUR).minutes == 120
