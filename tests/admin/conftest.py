import pytest
from django.test import Client

from tests.factories import make_staff
from tests.mail.smtpserver import smtp  # noqa: F401 (a fixture)


@pytest.fixture
def staff(db):
    return make_staff()


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def run_action(client: Client, action: str, contacts, **extra):
    return client.post(
        "/admin/contacts/contact/",
        {"action": action, "_selected_action": [c.pk for c in contacts], **extra},
        follow=True,
    )
