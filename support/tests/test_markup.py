"""Article bodies render a fixed set of structures; raw HTML and script links never get through."""

import pytest

from support.markup import plain_text, render_help_markup


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("Hello **world**", "<p>Hello <strong>world</strong></p>"),
        ("## Title\n- one\n- two", "<h3>Title</h3>\n<ul><li>one</li><li>two</li></ul>"),
        ("1. first\n2. second", "<ol><li>first</li><li>second</li></ol>"),
        ("See [the FAQ](/help/faq/).", '<p>See <a href="/help/faq/">the FAQ</a>.</p>'),
        ("Use `ootb_emails_sent_last_30_days`", "<p>Use <code>ootb_emails_sent_last_30_days</code></p>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("[click](javascript:alert(1))", "<p>click)</p>"),
        ('[x](/a" onclick="b)', "<p>[x](/a&quot; onclick=&quot;b)</p>"),
        ("Use `**not bold**`", "<p>Use <code>**not bold**</code></p>"),
    ],
)
def test_render_help_markup(body, html):
    assert render_help_markup(body) == html


def test_plain_text_drops_the_markup():
    assert plain_text("## Head\n- **Bold** [link](/x/)\n1. `code`") == "Head\nBold link\ncode"
