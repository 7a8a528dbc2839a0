"""SECURITY-REFERENCE B4: Markdown is rendered with HTML off, then sanitised with nh3."""

import pytest

from serval.web.markdown import render_markdown
from tests.web.htmlcheck import active_content


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
        "![x](https://tracker.example/pixel.png)",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_active_content_never_survives(source):
    html = render_markdown(source)
    assert active_content("<body>" + html) == []
    assert "<iframe" not in html and "<div" not in html


def test_ordinary_markdown_survives():
    html = render_markdown("# T\n\n- a\n- b\n\n`code` **b** [l](https://x.example)")
    assert "<h1>T</h1>" in html and "<li>a</li>" in html and "<code>code</code>" in html
    assert '<a href="https://x.example" rel="noopener noreferrer nofollow">l</a>' in html


def test_empty_is_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
