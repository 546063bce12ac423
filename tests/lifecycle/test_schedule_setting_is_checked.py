"""ASKFIRST_SCHEDULE: offsets in any unit, strictly increasing, a request and an
expiry at least, ten reminders at most; anything else stops the start-up with
a message naming the setting and what is wrong."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from askfirst.env import SCHEDULE_MAX_OFFSETS, parse_schedule


def test_the_default_and_the_demo_schedule():
    assert parse_schedule("0d,7d,14d,21d,28d,30d") == tuple(
        timedelta(days=d) for d in (0, 7, 14, 21, 28, 30)
    )
    assert parse_schedule("0m, 2m ,4m,6m,8m,10m") == tuple(
        timedelta(minutes=m) for m in (0, 2, 4, 6, 8, 10)
    )


def test_units_may_be_mixed_and_only_the_order_counts():
    assert parse_schedule("0s,90m,2h,1d,1w") == (
        timedelta(0),
        timedelta(minutes=90),
        timedelta(hours=2),
        timedelta(days=1),
        timedelta(weeks=1),
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0d,7d,7d,30d", "must increase strictly: '7d' does not come after '7d'"),
        ("0d,14d,7d,30d", "must increase strictly: '7d' does not come after '14d'"),
        ("0m,2h,60m", "must increase strictly: '60m' does not come after '2h'"),
        ("", "needs at least a request and an expiry"),
        ("0d", "needs at least a request and an expiry"),
        (" , ,", "needs at least a request and an expiry"),
        ("0d,7x,30d", "'7x' is not a duration (a number and a unit: s, m, h, d or w)"),
        ("0d,7,30d", "'7' is not a duration"),
        ("0d,-7d,30d", "'-7d' is not a duration"),
        ("0d;7d;30d", "'0d;7d;30d' is not a duration"),
    ],
)
def test_a_bad_schedule_is_refused_with_the_reason(raw, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_schedule(raw)
    assert str(refused.value).startswith(f"ASKFIRST_SCHEDULE={raw!r}")
    assert message in str(refused.value)


def test_at_most_ten_reminders():
    longest = ",".join(f"{day}d" for day in range(SCHEDULE_MAX_OFFSETS))
    assert len(parse_schedule(longest)) == SCHEDULE_MAX_OFFSETS == 12
    with pytest.raises(ImproperlyConfigured, match=r"has 13 offsets; at most 12 \(the request"):
        parse_schedule(longest + ",99d")


def test_a_bad_schedule_stops_the_start():
    process = subprocess.run(
        [sys.executable, "-m", "askfirst.cli", "check"],
        env={"ASKFIRST_SCHEDULE": "0m,2m,2m,10m", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode != 0
    assert "ASKFIRST_SCHEDULE='0m,2m,2m,10m' must increase strictly" in process.stderr
