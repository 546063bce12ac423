"""Staff finish the review of a customer restricted after expiry by recording the legal
basis it is kept under; the flag clears, and who decided when is shown. Contacts that
are not restricted are skipped. A new restriction (a later campaign) needs a new review."""

from datetime import timedelta

import pytest
from django.utils import timezone

from askfirst.contacts.models import Contact, RestrictionReview, Status
from askfirst.lifecycle.reports import restricted_count
from askfirst.lifecycle.services import lifecycle_advance
from tests.admin.campaign import SCHEDULE, choose
from tests.admin.conftest import run_action
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

NEEDED = "/admin/contacts/contact/?status__exact=restricted&review=needed"


def test_keeping_under_a_contract_records_basis_user_and_date(staff_client, staff, restricted):
    asking = choose(make_contact(email="noch@gefragt.de"), staff)

    response = run_action(staff_client, "keep_under_contract", [restricted, asking])

    content = response.content.decode()
    assert "1 restricted contact reviewed: kept under contract" in content
    assert "1 contact skipped: not restricted" in content
    review = RestrictionReview.objects.get()
    assert (review.contact_id, review.basis, review.reviewed_by) == (
        restricted.pk,
        "contract",
        staff,
    )
    assert abs(review.reviewed_at - timezone.now()) < timedelta(minutes=1)
    assert restricted_count() == 0
    assert "askfirst-restricted" not in staff_client.get("/admin/").content.decode()
    assert staff_client.get(NEEDED).context["cl"].result_count == 0
    page = staff_client.get(f"/admin/contacts/contact/{restricted.pk}/change/").content.decode()
    assert 'id="askfirst-needs-review"' not in page
    assert 'id="askfirst-reviewed"' in page and "legitimate" not in page


def test_legitimate_interest_is_the_other_basis(staff_client, restricted):
    run_action(staff_client, "keep_under_legitimate_interest", [restricted])
    assert RestrictionReview.objects.get().basis == "legitimate_interest"
    row = [
        row.split("</tr>")[0]
        for row in staff_client.get("/admin/contacts/contact/").content.decode().split("<tr")
        if "kunde@firma.de" in row
    ][0]
    assert "needs review" not in row and "legitimate interest" in row


def test_a_new_restriction_needs_a_new_review(staff_client, staff, restricted):
    run_action(staff_client, "keep_under_contract", [restricted])
    # Asked again in a later campaign, and again no answer.
    Contact.objects.filter(pk=restricted.pk).update(
        status=Status.ASKING, lifecycle_step=len(SCHEDULE) - 1, next_action_at=timezone.now()
    )
    lifecycle_advance(now=timezone.now() + timedelta(seconds=1))

    restricted.refresh_from_db()
    assert restricted.status == Status.RESTRICTED
    assert not RestrictionReview.objects.exists()
    assert restricted_count() == 1
