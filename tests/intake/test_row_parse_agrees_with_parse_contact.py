"""The import's row validation gives parse_contact's answer for every row."""

from hypothesis import given, settings
from hypothesis import strategies as st

from askfirst.contacts.inputs import TEXT_FIELDS, InvalidContact, parse_contact
from askfirst.intake.rows import row_parse

VALUES = st.one_of(
    st.text(max_size=5),
    st.sampled_from(["a@example.org", "Bad", " x@y.de ", "x" * 151, "a\x00b", "  \t Ä ö  "]),
    st.text(alphabet="ab \n", min_size=95, max_size=210),
)
NAMES = st.sampled_from(["email", *TEXT_FIELDS, "source", "kind"])


def _outcome(function, data):
    try:
        return function(data, default_source="import")
    except InvalidContact as exc:
        return set(exc.errors)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(NAMES, VALUES, max_size=8))
def test_same_answer(data):
    assert _outcome(row_parse, data) == _outcome(parse_contact, data)
