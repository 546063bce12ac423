import pytest
from django.test import Client

from askfirst.contacts.models import Status
from tests.admin.campaign import SCHEDULE, advance_all, choose
from tests.factories import make_contact, make_staff
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


@pytest.fixture
def restricted(settings, staff):
    """A customer restricted after the request expired (ASKFIRST_CUSTOMER_EXPIRY=restrict)."""
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    settings.ASKFIRST_CUSTOMER_EXPIRY = "restrict"
    contact = choose(make_contact(kind="customer", email="kunde@firma.de"), staff)
    for _round in SCHEDULE:
        advance_all()
    contact.refresh_from_db()
    assert contact.status == Status.RESTRICTED
    return contact
