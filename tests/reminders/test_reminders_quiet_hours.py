"""Quiet hours, worked by hand on the wall clock of New York (and UTC for the plain cases).

2026 in America/New_York: clocks spring forward on Sunday 8 March at 02:00 EST (07:00 UTC)
to 03:00 EDT, and fall back on Sunday 1 November at 02:00 EDT (06:00 UTC) to 01:00 EST.
EST is UTC-5, EDT is UTC-4. No database, no Django import in the module under test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ketaclinic.apps.reminders.quiet_hours import (
    QuietWindow,
    is_quiet,
    next_permitted_instant,
    parse_window,
)
from ketaclinic.clinical.exceptions import InvalidValue

NY = "America/New_York"
NIGHT = QuietWindow(dt.time(21, 0), dt.time(8, 0))


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [
        # 9 March 21:00 EDT: the start of the window is quiet -> 10 March 08:00 EDT (12:00 UTC).
        (utc(2026, 3, 10, 1, 0), utc(2026, 3, 10, 12, 0)),
        # 20:59 EDT: just before the window -> unchanged.
        (utc(2026, 3, 10, 0, 59), utc(2026, 3, 10, 0, 59)),
        # 07:59:59 EDT: the last quiet second -> 08:00 EDT the same morning.
        (utc(2026, 3, 10, 11, 59, 59), utc(2026, 3, 10, 12, 0)),
        # 08:00 EDT: the end is permitted -> unchanged.
        (utc(2026, 3, 10, 12, 0), utc(2026, 3, 10, 12, 0)),
        # 03:00 EDT after midnight -> 08:00 EDT the same date.
        (utc(2026, 3, 10, 7, 0), utc(2026, 3, 10, 12, 0)),
    ],
)
def test_a_window_across_midnight_holds_messages_until_its_end(proposed, expected):
    assert next_permitted_instant(proposed, NY, NIGHT) == expected


def test_a_daytime_window_holds_only_its_own_hours():
    lunch = QuietWindow(dt.time(13, 0), dt.time(14, 0))
    assert next_permitted_instant(utc(2026, 3, 10, 13, 30), "UTC", lunch) == utc(2026, 3, 10, 14)
    assert next_permitted_instant(utc(2026, 3, 10, 13, 0), "UTC", lunch) == utc(2026, 3, 10, 14)
    before = utc(2026, 3, 10, 12, 59)
    assert next_permitted_instant(before, "UTC", lunch) == before
    assert next_permitted_instant(utc(2026, 3, 10, 14, 0), "UTC", lunch) == utc(2026, 3, 10, 14)
    assert not lunch.crosses_midnight


def test_equal_start_and_end_mean_no_quiet_hours():
    none = QuietWindow(dt.time(8, 0), dt.time(8, 0))
    assert none.is_empty
    for hour in range(24):
        instant = utc(2026, 3, 10, hour, 0)
        assert next_permitted_instant(instant, NY, none) == instant
        assert not is_quiet(instant, NY, none)


def test_spring_forward_night_is_an_hour_shorter():
    # Sat 7 March 23:00 EST (8 March 04:00 UTC) -> Sun 8 March 08:00 EDT (12:00 UTC): 8 hours.
    proposed = utc(2026, 3, 8, 4, 0)
    permitted = next_permitted_instant(proposed, NY, QuietWindow(dt.time(22), dt.time(8)))
    assert permitted == utc(2026, 3, 8, 12, 0)
    assert permitted - proposed == dt.timedelta(hours=8)


def test_a_window_ending_in_the_skipped_hour_ends_when_the_clocks_jump():
    # Quiet until 02:30, which does not exist on 8 March: 01:00 EST (06:00 UTC) waits for the
    # jump at 02:00 EST = 07:00 UTC = 03:00 EDT, not for 03:30 EDT.
    window = QuietWindow(dt.time(22), dt.time(2, 30))
    permitted = next_permitted_instant(utc(2026, 3, 8, 6, 0), NY, window)
    assert permitted == utc(2026, 3, 8, 7, 0)
    assert not is_quiet(permitted, NY, window)
    assert is_quiet(permitted - dt.timedelta(seconds=1), NY, window)


def test_a_window_starting_in_the_skipped_hour_starts_at_the_jump():
    window = QuietWindow(dt.time(2, 30), dt.time(5, 0))
    # 01:59 EST (06:59 UTC) is before the window; the next second is 03:00 EDT, inside it.
    assert next_permitted_instant(utc(2026, 3, 8, 6, 59), NY, window) == utc(2026, 3, 8, 6, 59)
    assert next_permitted_instant(utc(2026, 3, 8, 7, 0), NY, window) == utc(2026, 3, 8, 9, 0)


def test_fall_back_night_is_an_hour_longer():
    # Sat 31 Oct 23:00 EDT (1 Nov 03:00 UTC) -> Sun 1 Nov 08:00 EST (13:00 UTC): 10 hours.
    proposed = utc(2026, 11, 1, 3, 0)
    permitted = next_permitted_instant(proposed, NY, QuietWindow(dt.time(22), dt.time(8)))
    assert permitted == utc(2026, 11, 1, 13, 0)
    assert permitted - proposed == dt.timedelta(hours=10)


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [
        # 00:30 EDT (04:30 UTC) waits for the first 01:30 (EDT, 05:30 UTC).
        (utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 5, 30)),
        # 01:45 EDT (05:45 UTC) is outside the window -> unchanged.
        (utc(2026, 11, 1, 5, 45), utc(2026, 11, 1, 5, 45)),
        # 01:00 EST (06:00 UTC), the repeated hour, is quiet again -> 01:30 EST (06:30 UTC).
        (utc(2026, 11, 1, 6, 0), utc(2026, 11, 1, 6, 30)),
        # 01:10 EST (06:10 UTC): the first 01:30 has passed, so the second one.
        (utc(2026, 11, 1, 6, 10), utc(2026, 11, 1, 6, 30)),
    ],
)
def test_a_window_ending_in_the_repeated_hour_ends_at_the_next_reading(proposed, expected):
    window = QuietWindow(dt.time(22), dt.time(1, 30))
    assert next_permitted_instant(proposed, NY, window) == expected


def test_the_answer_keeps_the_time_zone_of_the_proposal():
    proposed = dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    permitted = next_permitted_instant(proposed, NY, NIGHT)
    assert permitted.utcoffset() == dt.timedelta(hours=-4)
    assert permitted == utc(2026, 3, 10, 12, 0)


def test_quiet_is_read_on_the_sites_wall_clock_not_utc():
    # 02:00 UTC is 21:00 in Chicago (CDT, UTC-5) on 10 March: quiet there, not in London.
    assert is_quiet(utc(2026, 3, 10, 2, 0), "America/Chicago", NIGHT)
    assert is_quiet(utc(2026, 3, 10, 2, 0), "Europe/London", NIGHT)
    assert not is_quiet(utc(2026, 3, 10, 12, 0), "Europe/London", NIGHT)
    assert is_quiet(utc(2026, 3, 10, 12, 0), "America/Los_Angeles", NIGHT)


def test_windows_are_parsed_strictly_and_printed_back():
    assert parse_window("21:00-08:00") == NIGHT
    assert parse_window(" 7:30 - 9:05 ") == QuietWindow(dt.time(7, 30), dt.time(9, 5))
    assert str(NIGHT) == "21:00-08:00"


@pytest.mark.parametrize("text", ["", "21-08", "21:00", "25:00-08:00", "21:60-08:00", "a-b"])
def test_a_window_that_is_not_one_names_the_field(text):
    with pytest.raises(InvalidValue) as caught:
        parse_window(text, "quiet_start")
    assert caught.value.field == "quiet_start"


def test_a_naive_instant_or_unknown_zone_is_refused():
    with pytest.raises(InvalidValue, match="instant"):
        next_permitted_instant(dt.datetime(2026, 3, 10, 1), NY, NIGHT)
    with pytest.raises(InvalidValue, match="timezone"):
        next_permitted_instant(utc(2026, 3, 10, 1), "Mars/Olympus", NIGHT)
    with pytest.raises(InvalidValue, match="timezone"):
        is_quiet(utc(2026, 3, 10, 1), "", NIGHT)
