"""Rows validated column by column come out exactly as row_parse makes them, one by one."""

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from askfirst.contacts.inputs import TEXT_FIELDS, InvalidContact
from askfirst.intake.columns import columns_parse
from askfirst.intake.rows import row_parse

EMAILS = st.one_of(
    st.sampled_from(
        [
            "a@example.org",
            "A.B@Example.ORG",
            " c@example.de",
            "bad",
            "",
            "x@localhost",
            "ü@bücher.de",
        ]
    ),
    st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.(de|com)", fullmatch=True),
)
CELLS = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        ["Anna", "Köln", " x", "y ", "a  b", "a\tb", "  ", "", "a\x00b", "a\u3000b", "x" * 201]
    ),
    st.text(alphabet="ab \n\u00a0", min_size=1, max_size=12),
)
CHOICES = st.sampled_from(["", "import", "api", "prospect", "customer", "bogus", " api"])
OTHER = st.sampled_from([*TEXT_FIELDS, "source", "kind"])


@st.composite
def files(draw):
    names = ["email", *draw(st.lists(OTHER, unique=True, max_size=6))]
    cells = {name: CHOICES if name in {"source", "kind"} else CELLS for name in names}
    cells["email"] = EMAILS
    rows = draw(
        st.lists(st.tuples(*(cells[name] for name in names)).map(list), min_size=1, max_size=6)
    )
    return names, rows


def _one_by_one(names, rows):
    inputs = []
    for fields in rows:
        data = {name: value for name, value in zip(names, fields, strict=True) if value.strip()}
        try:
            inputs.append(row_parse(data, default_source="import"))
        except InvalidContact:
            return None
    return inputs


@settings(max_examples=1500, deadline=None)
@given(files())
def test_same_contacts_or_row_by_row(file):
    names, rows = file
    columns = list(enumerate(names))
    batch = columns_parse(rows, list(range(2, len(rows) + 2)), columns, default_source="import")
    expected = _one_by_one(names, rows)
    if batch is None:
        return  # row by row decides; nothing to compare
    # Whatever the columns accept, row_parse accepts too, with the same values.
    assert expected is not None
    assert batch.inputs() == expected
    assert [batch.record(index).raw for index in range(len(rows))] == rows


def test_a_plain_file_is_taken_by_columns():
    names = ["email", "first_name", "last_name", "street", "source_ref"]
    rows = [
        ["Anna.Schmidt@Example.DE", "Anna", "Schmidt", " Hauptstr. 1 ", "7"],
        ["bob@example.com", "Bob  Jr.", "", "", ""],
    ]
    batch = columns_parse(rows, [2, 3], list(enumerate(names)), default_source="import")
    assert batch is not None
    assert batch.inputs() == _one_by_one(names, rows)
    assert batch.values["email_key"] == ["anna.schmidt@example.de", "bob@example.com"]
    assert batch.inputs()[1].first_name == "Bob Jr."


def test_any_row_row_parse_refuses_sends_the_chunk_row_by_row():
    names = ["email", "company"]
    for bad in (["no-at-sign", "ACME"], ["a@example.org", "x" * 201], ["a@example.org", "a\x00"]):
        rows = [["ok@example.org", "ACME"], bad]
        assert columns_parse(rows, [2, 3], list(enumerate(names)), default_source="import") is None


def test_other_space_is_every_whitespace_but_the_plain_space():
    from askfirst.intake.columns import OTHER_SPACE

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(OTHER_SPACE.findall(every)) == {c for c in every if c.isspace() and c != " "}
