"""Consent texts are never edited in the admin: a new wording is a new version."""

import pytest

from askfirst.consent.models import ConsentText, Purpose
from askfirst.consent.services import consent_text_current
from askfirst.contacts.models import ErasureCount

pytestmark = pytest.mark.django_db


def test_an_existing_text_is_read_only_and_offers_a_new_version(staff_client):
    text = consent_text_current(purpose=Purpose.objects.get(key="storage"), language="de")
    page = staff_client.get(f"/admin/consent/consenttext/{text.pk}/change/")
    assert page.status_code == 200
    assert b'name="body"' not in page.content
    assert f"/admin/consent/consenttext/add/?from={text.pk}".encode() in page.content

    staff_client.post(f"/admin/consent/consenttext/{text.pk}/change/", {"body": "Changed"})
    assert ConsentText.objects.get(pk=text.pk).body == text.body
    assert staff_client.get(f"/admin/consent/consenttext/{text.pk}/delete/").status_code == 403


def test_add_new_version_starts_from_the_old_text_and_adds_the_next_version(staff_client):
    storage = Purpose.objects.get(key="storage")
    old = consent_text_current(purpose=storage, language="de")

    form = staff_client.get(f"/admin/consent/consenttext/add/?from={old.pk}")
    assert form.context["adminform"].form.initial["body"] == old.body

    response = staff_client.post(
        "/admin/consent/consenttext/add/",
        {"purpose": storage.pk, "language": "de", "body": old.body + " Neu.", "_save": "Save"},
    )

    assert response.status_code == 302
    new = consent_text_current(purpose=storage, language="de")
    assert new.version == old.version + 1
    assert new.body == old.body + " Neu."
    assert ConsentText.objects.get(pk=old.pk).body == old.body


def test_purposes_cannot_be_deleted_but_their_names_can_be_edited(staff_client):
    purpose = Purpose.objects.get(key="newsletter")
    assert staff_client.get(f"/admin/consent/purpose/{purpose.pk}/delete/").status_code == 403
    response = staff_client.post(
        f"/admin/consent/purpose/{purpose.pk}/change/",
        {
            "position": purpose.position,
            "name_de": "Newsletter",
            "name_en": "Newsletter",
            "description_de": purpose.description_de,
            "description_en": purpose.description_en,
            "key": "changed",
        },
    )
    assert response.status_code == 302
    purpose.refresh_from_db()
    assert (purpose.key, purpose.name_de) == ("newsletter", "Newsletter")


def test_topics_have_labels_per_language(staff_client):
    response = staff_client.post(
        "/admin/contacts/topic/add/",
        {"key": "events", "label_de": "Veranstaltungen", "label_en": "Events"},
    )
    assert response.status_code == 302


def test_erasure_counts_are_read_only(staff_client):
    row = ErasureCount.objects.create(day="2025-01-02", count=4)
    assert staff_client.get("/admin/contacts/erasurecount/").status_code == 200
    assert staff_client.get("/admin/contacts/erasurecount/add/").status_code == 403
    assert staff_client.get(f"/admin/contacts/erasurecount/{row.pk}/delete/").status_code == 403
    staff_client.post(f"/admin/contacts/erasurecount/{row.pk}/change/", {"count": "0"})
    row.refresh_from_db()
    assert row.count == 4
