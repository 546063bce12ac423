"""Any file, against any stored contacts: the fast paths (column-by-column validation, a
batch of new contacts inserted at once, a re-import compared row for row) end exactly as
the careful row-by-row path does: the same report, rejects file and stored contacts."""

import csv
import io

import pytest
from django.core.management.base import CommandError
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from askfirst.contacts.models import Contact, Status
from askfirst.intake import services
from tests.factories import make_contact

from .factories import run, write

pytestmark = pytest.mark.django_db

ADDRESSES = ["a@example.org", "A@example.org", "b@example.org", "c@example.de", "d@example.org",
             "e@example.com", "f@example.org", "bad", "g@example.org", ""]  # fmt: skip
NAMES = ["", "Anna", " Anna", "An  na", "x\\y", "\\N", "t\tab", "Zoë", "Anna "]
IDS = ["", "", "1", "2", "3"]
SOURCES = ["", "", "api", "import", "form", "bogus"]
KINDS = ["", "", "customer", "prospect", "nope"]
STREETS = ["", "a\tb", "\\N", "c\\d", " s ", "x\ny"]
HEADER = ["email", "first name", "id", "source", "kind", "city", "street"]

ROWS = st.tuples(
    st.sampled_from(ADDRESSES),
    st.sampled_from(NAMES),
    st.sampled_from(IDS),
    st.sampled_from(SOURCES),
    st.sampled_from(KINDS),
    st.sampled_from(["", "Köln", "DE"]),
    st.sampled_from(STREETS),
)
STORED = st.tuples(
    st.sampled_from([a for a in ADDRESSES if "@" in a and a[0] != "A"]),
    st.sampled_from(["Anna", "", "Bob"]),
    st.sampled_from(IDS),
    st.sampled_from(["api", "import"]),
    st.booleans(),  # deactivated
)


def _state():
    return sorted(
        Contact.objects.values_list(
            "email", "email_key", "first_name", "source", "source_ref", "status", "kind",
            "city", "street", "suggested_language", "suggestion_reason", "mail_language",
            "language_chosen_automatically", "lifecycle_step",
        )
    )  # fmt: skip


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _store(stored):
    used: set = set()
    for email, first, ref, source, deactivated in stored:
        if email.lower() in used or (ref and (source, ref) in used):
            continue
        used.update({email.lower(), (source, ref)})
        contact = make_contact(email=email, first_name=first, source=source, source_ref=ref)
        if deactivated:
            Contact.objects.filter(pk=contact.pk).update(status=Status.DEACTIVATED)


def _both_ways(tmp, stored, rows, batch):
    results = []
    # Fast in this process, fast with a reading process preparing rows ahead, careful.
    for name in ("fast", "forked", "careful"):
        Contact.objects.all().delete()
        _store(stored)
        careful = name == "careful"
        path = write(tmp, _csv(rows), name=f"{name}.csv")
        with (
            pytest.MonkeyPatch.context() as patch,
            override_settings(
                ASKFIRST_IMPORT_BATCH=batch,
                ASKFIRST_IMPORT_READER_PROCESS_FROM=0 if name == "forked" else 10**9,
            ),
        ):
            if careful:
                patch.setattr(services, "columns_parse", lambda *args, **kwargs: None)
            try:
                out = run(path).replace(name, "FILE")
            except CommandError as exc:  # e.g. only empty rows: no contacts at all
                out = f"error: {exc}"
        rejects = path.with_name(f"{name}.rejects.csv")
        results.append((out, rejects.read_text() if rejects.exists() else "", _state()))
    assert results[0] == results[1] == results[2]
    return results[0]


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@example(stored=[], rows=[("",) * len(HEADER)], batch=1)  # only empty rows: no contacts
@given(
    stored=st.lists(STORED, max_size=4),
    rows=st.lists(ROWS, min_size=1, max_size=12),
    batch=st.sampled_from([1, 2, 3, 5, 100]),
)
def test_fast_and_careful_paths_agree(tmp_path_factory, stored, rows, batch):
    _both_ways(tmp_path_factory.mktemp("files"), stored, rows, batch)


def test_a_repeat_of_a_row_that_met_a_deactivated_contact_by_its_id(tmp_path):
    # Row 2 finds the deactivated contact by its id (not by its address); row 4
    # repeats row 2's address and is a duplicate, though no contact holds it.
    rows = [("new@example.org", "", "7", "", "", "", ""), ("b@example.org", "", "", "", "", "", ""),
            ("new@example.org", "", "", "", "", "", "")]  # fmt: skip
    out, _rejects, _state = _both_ways(tmp_path, [("old@example.org", "", "7", "import", True)],
                                       rows, 1)  # fmt: skip
    assert "created: 1" in out and "line 4: duplicate of line 2" in out


def test_a_repeat_of_an_id_another_source_kept(tmp_path):
    # a@ is the API's contact: the file's id 7 is not stored on it, yet a later
    # row with id 7 repeats row 2.
    stored = [("a@example.org", "", "", "api", False)]
    rows = [("a@example.org", "", "7", "", "", "", ""), ("b@example.org", "", "", "", "", "", ""),
            ("c@example.org", "", "7", "", "", "", "")]  # fmt: skip
    out, _rejects, _state = _both_ways(tmp_path, stored, rows, 1)
    assert "line 4: duplicate of line 2" in out
