"""The worker drops unconfirmed address changes and old throttle windows once expired."""

from datetime import timedelta

import pytest
from django.utils import timezone

from askfirst.lifecycle.worker import Worker
from askfirst.portal.models import EmailChange, Throttle
from askfirst.portal.throttle import throttle_hit
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def test_expired_rows_go_live_rows_stay():
    now = timezone.now()
    contact = make_contact()
    EmailChange.objects.create(
        contact=contact,
        new_email="old-pending@example.org",
        token_hash="a" * 64,
        created_at=now - timedelta(days=3),
        expires_at=now - timedelta(days=2),
    )
    live = EmailChange.objects.create(
        contact=contact,
        new_email="new-pending@example.org",
        token_hash="b" * 64,
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    throttle_hit(
        scope="link-ip", value="203.0.113.9", window=timedelta(hours=1), now=now - timedelta(days=2)
    )
    throttle_hit(scope="link-ip", value="203.0.113.10", window=timedelta(hours=1), now=now)

    Worker().run_once()

    assert list(EmailChange.objects.all()) == [live]
    assert Throttle.objects.count() == 1
