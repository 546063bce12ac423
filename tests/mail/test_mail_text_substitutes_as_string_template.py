"""Mail texts are split into parts once and joined per mail; the result is exactly
what `string.Template.safe_substitute` gives — for any text staff may write."""

from string import Template

from hypothesis import given
from hypothesis import strategies as st

from askfirst.mail.render import MailText

NAMES = ["greeting", "yes_url", "data", "x", "_1"]
# Texts built from the pieces that matter: placeholders known and unknown, braced,
# escaped, malformed, a lone `$` at the end, and ordinary text with umlauts.
PIECES = st.sampled_from(
    ["$greeting", "${yes_url}", "$data", "$unknown", "${unknown}", "$$", "$", "${", "${1}",
     "$1", "$ ", "{x}", "$x_y", "$_1", "Grüße ", "\n", "text", "$$greeting", "€"]
)  # fmt: skip
VALUES = st.dictionaries(st.sampled_from(NAMES), st.text(max_size=8))


@given(st.lists(PIECES, max_size=12).map("".join), VALUES)
def test_same_as_safe_substitute(text, values):
    assert MailText(text).substitute(values) == Template(text).safe_substitute(values)


def test_a_real_mail_text():
    text = "$greeting,\n\nJa: $yes_url\nPreis: $$5, ${data}!\nUnbekannt: $nope $"
    values = {"greeting": "Guten Tag Jürgen", "yes_url": "https://x/l/t/yes/", "data": "E-Mail"}
    assert MailText(text).substitute(values) == (
        "Guten Tag Jürgen,\n\nJa: https://x/l/t/yes/\nPreis: $5, E-Mail!\nUnbekannt: $nope $"
    )
