"""Markdown bodies to safe HTML: render with raw HTML disabled, then sanitise the result.

SECURITY-REFERENCE B4: sanitise *after* rendering, with an allow-list, and never let a
`javascript:` or `data:` link through. markdown-it already refuses raw HTML; nh3 is the second,
independent wall in case a renderer bug or plugin ever lets markup through.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_SOURCE = 50_000


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")  # remote images would track readers and are blocked by the CSP anyway
    return md


def render_markdown(source: str | None) -> str:
    """Safe HTML for a Markdown body written by any user."""
    if not source:
        return ""
    html = _parser().render(source[:MAX_SOURCE])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
