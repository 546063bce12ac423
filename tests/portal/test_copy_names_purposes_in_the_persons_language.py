"""The JSON copy names purposes and explains terms in the person's language, downloaded from
a German page in German; the keys a program reads stay the same in every language."""

import pytest

from askfirst.consent.services import Proof, consent_record
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "storage", "termination"),
    [
        ("de", "Speicherung und Verarbeitung", "Widerruf"),
        ("en", "Storage and processing", "Withdraw at any time"),
    ],
)
def test_copy_in_the_page_language(client, person, language, storage, termination):
    consent_record(
        contact=person, purpose_key="storage", granted=True, proof=Proof(channel="mail_link")
    )
    person.portal_language = language
    person.save()
    enter(client, person)
    copy = client.get("/portal/copy/download/").json()
    receipt = copy["consentReceipt"]
    assert receipt["language"] == language
    purposes = {p["purposeKey"]: p for p in receipt["services"][0]["purposes"]}
    assert purposes["storage"]["purpose"] == storage
    assert purposes["storage"]["termination"].startswith(termination)
    (record,) = copy["consentRecords"]
    assert (record["purpose"], record["purposeName"]) == ("storage", storage)
