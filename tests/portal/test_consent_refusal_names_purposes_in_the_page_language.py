"""A refused consent change (a purpose whose base purpose is not granted) is explained in
the page's language, with the purposes named as the page names them (consent_record
names them in English: it serves staff and the API too)."""

import pytest

from askfirst.consent.models import ConsentEvent, Purpose
from askfirst.consent.services import consent_text_current
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_newsletter_before_storage_on_a_german_page(client, person):
    person.portal_language = "de"
    person.save()
    enter(client, person)
    text = consent_text_current(purpose=Purpose.objects.get(key="newsletter"), language="de")
    response = client.post(
        "/portal/consent/",
        {"purpose": "newsletter", "decision": "grant", "text": text.pk if text else ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('role="alert"')
    error = page[start : page.index("</div>", start)]
    assert (
        "E-Mail-Newsletter setzt zuerst die Einwilligung in Speicherung und Verarbeitung voraus."
        in error
    )
    assert "Email newsletter" not in error and "Storage" not in error
    assert not ConsentEvent.objects.exists()
