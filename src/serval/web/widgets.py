"""Form widgets drawn in Python instead of through the template engine.

Django draws a widget by rendering its template (and, for a `<select>`, one more for each
option). The incident page holds a dozen forms — side panel, text, every transition dialog,
composer, links — with selects of a team's or a tenant's worth of options (a hundred teams at
benchmark scale), and drawing them cost more than the rest of the page. The widgets here write
the same markup as Django's templates — type, name, value, the widget's attributes, `selected`
and `checked`, everything escaped — in one pass. `FastWidgetsForm` switches a form's text,
number, hidden, textarea, checkbox and select widgets to them (file inputs keep Django's).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def option_tags(choices: Iterable[tuple[Any, Any]], chosen: Iterable[Any] = ()) -> SafeString:
    """`<option value="…"[ selected]>…</option>` for each (value, label), escaped.

    Plain `html.escape` on each value and label (quotes included), not `format_html`: the
    callers datalist alone has 500 options, and Django's lazy-aware escaping costs several
    times more per call.
    """
    picked = {str(v) for v in chosen}
    parts = []
    for value, label in choices:
        text = str(value)
        mark = " selected" if text in picked else ""
        parts.append(f'<option value="{escape(text)}"{mark}>{escape(str(label))}</option>')
    return mark_safe("".join(parts))


class FastSelect(forms.Select):
    """A flat single `<select>` (no option groups), markup-compatible with `forms.Select`."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        options = option_tags(self.choices, self.format_value(value))
        return format_html("<select{}>{}</select>", flatatt(final), options)


class FastInput(Input):
    """`<input type=… name=… value=…>` as django/forms/widgets/input.html writes it."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        shown = self.format_value(value)
        value_attr = "" if shown is None else f' value="{escape(str(shown))}"'
        return mark_safe(  # escaped above and by flatatt
            f'<input type="{escape(self.input_type or "text")}" name="{escape(name)}"{value_attr}'
            f"{flatatt(final)}>"
        )


class FastTextInput(FastInput, forms.TextInput):
    pass


class FastNumberInput(FastInput, forms.NumberInput):
    pass


class FastHiddenInput(FastInput, forms.HiddenInput):
    pass


class FastCheckboxInput(forms.CheckboxInput):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.check_test(value):
            final["checked"] = True
        shown = self.format_value(value)
        value_attr = "" if shown is None else f' value="{escape(str(shown))}"'
        return mark_safe(  # escaped above and by flatatt
            f'<input type="checkbox" name="{escape(name)}"{value_attr}{flatatt(final)}>'
        )


class FastTextarea(forms.Textarea):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        shown = self.format_value(value)
        text = escape(str(shown)) if shown else ""
        return mark_safe(  # escaped above and by flatatt
            f'<textarea name="{escape(name)}"{flatatt(final)}>\n{text}</textarea>'
        )


FAST: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.TextInput: FastTextInput,
    forms.NumberInput: FastNumberInput,
    forms.HiddenInput: FastHiddenInput,
    forms.CheckboxInput: FastCheckboxInput,
    forms.Textarea: FastTextarea,
    forms.Select: FastSelect,
}


class FastWidgetsForm(forms.Form):
    """A form whose plain widgets are drawn by the classes above (same markup, no templates)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_fast_widgets()

    def use_fast_widgets(self) -> None:
        """Switch the widgets (again, after fields were added in a subclass's __init__)."""
        for field in self.fields.values():
            fast = FAST.get(type(field.widget))
            if fast is not None:
                field.widget.__class__ = fast
