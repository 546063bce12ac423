"""The worker's periodic tidy runs each app's step named in ASKFIRST_TIDY_STEPS (it
imports none of them itself), once per TIDY_EVERY, not on every pass."""

import pytest
from django.conf import settings as django_settings

from askfirst.lifecycle.worker import Worker

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


def tidy_step() -> None:
    CALLS.append("tidied")


def test_each_step_runs_once_per_interval(settings):
    assert "askfirst.portal.access.sessions_tidy" in django_settings.ASKFIRST_TIDY_STEPS
    settings.ASKFIRST_TIDY_STEPS = [f"{__name__}.tidy_step", f"{__name__}.tidy_step"]
    CALLS.clear()
    worker = Worker()
    worker.run_once()
    assert CALLS == ["tidied", "tidied"]
    worker.run_once()  # within TIDY_EVERY: not again
    assert CALLS == ["tidied", "tidied"]
