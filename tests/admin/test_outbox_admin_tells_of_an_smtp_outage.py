"""Staff who look at the outbox while the SMTP server is down are told so: how
long, when the workers try again, and that waiting mails lose no attempts.
Once the server answers again, the notice is gone."""

import pytest
import time_machine
from django.utils import translation

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from tests.admin.conftest import messages_of
from tests.factories import make_staff
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def _notices(staff_client, language="en") -> list[str]:
    response = staff_client.get("/admin/mail/outbox/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return messages_of(response)


def test_outage_is_shown_until_the_server_answers(smtp, client):
    asking_contact(language="de")
    staff_client = client
    staff_client.force_login(make_staff())  # after: make_staff resets the password
    lifecycle_advance()
    assert _notices(staff_client) == []

    smtp.stop()
    mail_deliver(worker_id="w", smtp=smtp.target)
    (notice,) = _notices(staff_client)
    assert "could not be reached 1 time in a row" in notice
    assert "use up none of their attempts" in notice
    (german,) = _notices(staff_client, "de")
    assert "nicht erreichbar" in german
    translation.activate("en")

    smtp.start()
    paused = mail_deliver(worker_id="w", smtp=smtp.target)
    with time_machine.travel(paused.paused_until, tick=False):
        assert mail_deliver(worker_id="w", smtp=smtp.target).sent == 1
    assert _notices(staff_client) == []
