"""An expired or unknown token gets a clear page (410 / 404), no data, no change."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.contacts.models import Status
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, token_of

pytestmark = pytest.mark.django_db

ONE_CLICK = {
    "data": "List-Unsubscribe=One-Click",
    "content_type": "application/x-www-form-urlencoded",
}


@pytest.mark.parametrize(
    "token",
    ["A" * 43, "not-a-token", "x" * 300, "%00"],
)
def test_forged_token_is_404(client, token):
    for response in (
        client.get(f"/l/{token}/"),
        client.post(f"/l/{token}/"),
        client.post(f"/l/{token}/unsubscribe/", **ONE_CLICK),
    ):
        assert response.status_code == 404
        assert b"This link is not valid" in response.content


def test_expired_token_is_410_and_changes_nothing(smtp, client, settings):
    contact = asking_contact(language="en", first_name="Ottilie")
    Worker(smtp=smtp.target).run_once()
    tokens = links(smtp.store.messages()[-1])
    expiry = settings.ASKFIRST_SCHEDULE[-1] + settings.ASKFIRST_TOKEN_MARGIN
    with time_machine.travel(timezone.now() + expiry + timedelta(minutes=1)):
        for response in (
            client.get(tokens["yes"]),
            client.post(tokens["yes"]),
            client.post(tokens["deactivate"]),
            client.post(f"/l/{token_of(tokens['deactivate'])}/unsubscribe/", **ONE_CLICK),
        ):
            assert response.status_code == 410
            assert b"expired" in response.content
            assert b"Ottilie" not in response.content
    contact.refresh_from_db()
    assert contact.status == Status.ASKING
