"""The "My data" page says where we got the person's data and since when (GDPR Art. 15(1)(g)),
in the portal's language, worded as the request mail words it."""

import pytest

from askfirst.contacts.models import Contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "We have your data from your business card, since Nov. 3, 2026."),
        ("de", "Wir haben Ihre Daten von Ihrer Visitenkarte, seit 3. November 2026."),
    ],
)
def test_the_source_and_the_date(client, person, language, said):
    Contact.objects.filter(pk=person.pk).update(
        source="business_card", created_at="2026-11-03T09:00:00+00:00", portal_language=language
    )
    enter(client, person, language=language)
    content = client.get("/portal/data/").content.decode()
    assert said in content
