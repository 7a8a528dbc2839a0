"""Parse rendered HTML and list the active content in it (real tags, not escaped text)."""

from __future__ import annotations

from html.parser import HTMLParser

BAD_TAGS = {"svg", "img", "iframe", "object", "embed", "base", "meta", "form", "style"}
ALLOWED_FORM_ACTIONS = ("/",)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.inside_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "body":
            self.inside_body = True
        if tag == "script" and not values.get("src"):
            self.problems.append("inline <script>")
        if self.inside_body and tag in BAD_TAGS - {"form"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name == "style":
                self.problems.append(f"{tag} style=")
            if name in ("href", "src", "action", "formaction") and value:
                scheme = value.strip().lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value[:30]}")


def active_content(html: str) -> list[str]:
    parser = _Collector()
    parser.feed(html)
    return parser.problems
