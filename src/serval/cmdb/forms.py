"""The CMDB forms of the CI pages: they only shape input for `serval.cmdb.actions`.

`CIForm` creates or edits a CI. Its class attributes are typed fields generated from the chosen
class's effective schema (`attr_<name>`); choosing another class re-renders the form with that
class's fields (htmx, or the "Show its attributes" button without JavaScript), and the action
validates the attributes again. `RelationshipForm` relates the CI to another one the user sees,
named by "name #id" (what the suggestions offer), name, host name or FQDN.

Choices are what the user may link (classes, tenants, people and teams within reach); the
actions check each again, and their field errors are put back on the form (`add_action_errors`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serval.cmdb import worklinks
from serval.cmdb.attributes import MAX_INT, MAX_TEXT, effective_schema
from serval.cmdb.models import (
    CI,
    IDENTIFIERS,
    LIFECYCLE_STATUSES,
    CIClass,
    Environment,
    LifecycleStage,
    OperationalStatus,
    RelationshipType,
)
from serval.cmdb.querysets import cis_visible_to, classes_visible_to
from serval.core.errors import ValidationFailed
from serval.core.models import Tenant
from serval.core.tenancy import reach
from serval.people.models import Role, User
from serval.people.querysets import teams_visible_to, users_visible_to
from serval.services.models import Criticality

MAX_CHOICES = 500
ATTR = "attr_"
_BOOL = {"true": True, "false": False}


def class_tree(user: User) -> list[tuple[CIClass, int]]:
    """The classes the user sees, depth-first under their parents, with their depth."""
    classes = list(classes_visible_to(user).order_by("label", "pk"))
    known = {c.pk for c in classes}
    children: dict[int | None, list[CIClass]] = {}
    for c in classes:
        children.setdefault(c.parent_id if c.parent_id in known else None, []).append(c)
    out: list[tuple[CIClass, int]] = []
    todo: list[tuple[CIClass, int]] = [(c, 0) for c in reversed(children.get(None, []))]
    seen: set[int] = set()
    while todo:
        node, depth = todo.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        out.append((node, depth))
        todo.extend((c, depth + 1) for c in reversed(children.get(node.pk, [])))
    return out


def _attribute_field(spec: dict[str, Any]) -> forms.Field:
    label = spec.get("label") or spec["name"].replace("_", " ").capitalize()
    required = bool(spec.get("required"))
    kind = spec["type"]
    common: dict[str, Any] = {"label": label, "required": required}
    if kind == "int":
        return forms.IntegerField(min_value=-MAX_INT, max_value=MAX_INT, **common)
    if kind == "bool":
        return forms.TypedChoiceField(
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))],
            coerce=lambda v: _BOOL[v],
            empty_value=None,
            **common,
        )
    if kind == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    if kind == "choice":
        return forms.ChoiceField(
            choices=[("", "—"), *((c, c) for c in spec.get("choices", []))], **common
        )
    return forms.CharField(max_length=MAX_TEXT, **common)


def _initial_attribute(spec: dict[str, Any], value: Any) -> Any:
    if spec["type"] == "bool" and isinstance(value, bool):
        return "true" if value else "false"
    return value


class CIForm(forms.Form):
    ci_class = forms.TypedChoiceField(label=_("Class"), coerce=int, empty_value=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    tenant = forms.TypedChoiceField(label=_("Tenant"), coerce=int, empty_value=None)
    serial = forms.CharField(label=_("Serial number"), required=False, max_length=100)
    hostname = forms.CharField(label=_("Host name"), required=False, max_length=253)
    fqdn = forms.CharField(label=_("FQDN"), required=False, max_length=253)
    cloud_id = forms.CharField(label=_("Cloud id"), required=False, max_length=255)
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices)
    lifecycle_status = forms.ChoiceField(label=_("Lifecycle status"), required=False)
    operational_status = forms.ChoiceField(
        label=_("Operational status"), choices=OperationalStatus.choices
    )
    environment = forms.ChoiceField(label=_("Environment"), choices=Environment.choices)
    criticality = forms.ChoiceField(label=_("Criticality"), choices=Criticality.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    support_team = forms.TypedChoiceField(
        label=_("Support team"), required=False, coerce=int, empty_value=None
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    vendor = forms.CharField(label=_("Vendor"), required=False, max_length=200)
    product_version = forms.CharField(label=_("Version"), required=False, max_length=100)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        user: User,
        ci: CI | None = None,
        prefill: Any = None,
        chosen: str = "",
    ) -> None:
        """`data` binds the form (a save); `prefill` only fills it in (a class was chosen)."""
        initial: dict[str, Any] = {
            "lifecycle_stage": LifecycleStage.OPERATIONAL,
            "lifecycle_status": "in_use",
            "operational_status": OperationalStatus.OPERATIONAL,
            "environment": Environment.PRODUCTION,
            "criticality": Criticality.MEDIUM,
            "tenant": user.tenant_id,
        }
        if ci is not None:
            initial.update(
                {
                    name: getattr(ci, name)
                    for name in (
                        "name",
                        *IDENTIFIERS,
                        "lifecycle_stage",
                        "lifecycle_status",
                        "operational_status",
                        "environment",
                        "criticality",
                        "location",
                        "vendor",
                        "product_version",
                        "version",
                    )
                }
            )
            initial.update(
                ci_class=ci.ci_class_id, owner=ci.owner_id, support_team=ci.support_team_id
            )
        self.tree = class_tree(user)
        by_pk = {c.pk: c for c, _depth in self.tree}
        source = data if data is not None else prefill
        key = str((source or {}).get("ci_class", "") or chosen)
        self.chosen_class: CIClass | None = None
        if key.isdigit() and len(key) < 19:
            self.chosen_class = by_pk.get(int(key))
        if self.chosen_class is None and not key and ci is not None:
            self.chosen_class = by_pk.get(ci.ci_class_id) or ci.ci_class
        if self.chosen_class is not None:
            initial["ci_class"] = self.chosen_class.pk
        self.schema = effective_schema(self.chosen_class) if self.chosen_class is not None else []
        current = ci.attributes if ci is not None else {}
        for spec in self.schema:
            if spec["name"] in current:
                initial[ATTR + spec["name"]] = _initial_attribute(spec, current[spec["name"]])
        if prefill is not None:
            initial.update({k: prefill.get(k) for k in prefill if k != "csrfmiddlewaretoken"})
        super().__init__(data, initial=initial)
        for spec in self.schema:
            self.fields[ATTR + spec["name"]] = _attribute_field(spec)
        none: list[tuple[Any, str]] = [("", "—")]
        people = users_visible_to(user).filter(is_active=True).exclude(role=Role.REQUESTER)
        choices: dict[str, list[Any]] = {
            "ci_class": [("", _("— Choose a class —"))]
            + [(c.pk, "\u2003" * depth + c.label) for c, depth in self.tree],
            "owner": none
            + [(u.pk, u.display_name) for u in people.order_by("username")[:MAX_CHOICES]],
            "support_team": none
            + list(teams_visible_to(user).order_by("name").values_list("pk", "name")[:MAX_CHOICES]),
            "lifecycle_status": [("", _("— The stage's first status —"))]
            + [
                (label, [(s, s.replace("_", " ")) for s in LIFECYCLE_STATUSES[stage]])
                for stage, label in LifecycleStage.choices
            ],
        }
        if ci is None and len(reach(user)) > 1:
            tenants = Tenant.objects.filter(pk__in=reach(user)).order_by("name")
            choices["tenant"] = list(tenants.values_list("pk", "name")[:MAX_CHOICES])
        else:
            del self.fields["tenant"]
        for name, options in choices.items():
            field: Any = self.fields[name]
            field.choices = options

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[ATTR + spec["name"]] for spec in self.schema]

    @property
    def ci_class_label(self) -> str:
        return str(self.chosen_class.label) if self.chosen_class is not None else ""

    @property
    def identifier_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in IDENTIFIERS]

    @property
    def status_fields(self) -> list[forms.BoundField]:
        names = (
            "lifecycle_stage",
            "lifecycle_status",
            "operational_status",
            "environment",
            "criticality",
            "owner",
            "support_team",
            "location",
            "vendor",
            "product_version",
        )
        return [self[n] for n in names]

    def action_values(self, user: User) -> dict[str, Any]:
        """Cleaned values with ids turned into records; the attributes of the chosen class."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("tenant", None)
        for spec in self.schema:
            data.pop(ATTR + spec["name"], None)
        data["ci_class"] = self.chosen_class
        data["owner"] = (
            users_visible_to(user).filter(pk=data["owner"]).first() if data.get("owner") else None
        )
        data["support_team"] = (
            teams_visible_to(user).filter(pk=data["support_team"]).first()
            if data.get("support_team")
            else None
        )
        if not data.get("lifecycle_status"):
            data.pop("lifecycle_status", None)  # the action takes the stage's first status
        values: dict[str, Any] = {}
        for spec in self.schema:
            value = self.cleaned_data.get(ATTR + spec["name"])
            if value is None or value == "":
                continue
            values[spec["name"]] = value.isoformat() if isinstance(value, date) else value
        data["attributes"] = values
        return data

    def chosen_tenant(self, user: User) -> Tenant | None:
        pk = self.cleaned_data.get("tenant")
        return Tenant.objects.filter(pk=pk).first() if pk and pk in reach(user) else None

    def add_action_errors(self, exc: ValidationFailed) -> None:
        """The action's field errors on their fields (`attributes.x` on `attr_x`)."""
        for name, message in exc.as_dict().items():
            field = ATTR + name.split(".", 1)[1] if name.startswith("attributes.") else name
            self.add_error(field if field in self.fields else None, str(message))


# --- relationships -----------------------------------------------------------------------------


class RelationshipForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("This CI is"),
        choices=[("parent", _("the parent")), ("child", _("the child"))],
    )
    type = forms.ChoiceField(label=_("Relationship"))
    other = forms.CharField(
        label=_("Other CI"),
        max_length=300,
        help_text=_("Its name, host name or FQDN; pick one of the suggestions to be exact."),
    )

    def __init__(self, data: Any = None, *, user: User, ci: CI) -> None:
        super().__init__(data, initial={"direction": "parent"})
        self.user, self.ci = user, ci
        self.types = {t.name: t for t in RelationshipType.objects.order_by("name")}
        field: Any = self.fields["type"]
        field.choices = [(t.name, f"{t.label} / {t.reverse_label}") for t in self.types.values()]
        self.other_ci: CI | None = None

    def clean_other(self) -> str:
        text = self.cleaned_data["other"].strip()
        visible = cis_visible_to(self.user)
        picked = worklinks.picked_id(text)
        if picked is not None:
            found = list(visible.filter(pk=picked)[:1])
        else:
            host = text.lower().rstrip(".")
            found = list(visible.filter(Q(name=text) | Q(hostname=host) | Q(fqdn=host))[:2])
        if not found:
            raise forms.ValidationError(_("No CI you can see has this name or host name."))
        if len(found) > 1:
            raise forms.ValidationError(_("Several CIs match; pick one of the suggestions."))
        self.other_ci = found[0]
        return text

    def ends(self) -> tuple[CI, CI]:
        """(parent, child) of the new relationship."""
        assert self.other_ci is not None
        if self.cleaned_data["direction"] == "parent":
            return self.ci, self.other_ci
        return self.other_ci, self.ci

    def add_action_errors(self, exc: ValidationFailed) -> None:
        for name, message in exc.as_dict().items():
            field = "type" if name == "type" else "other" if name in ("parent", "child") else None
            self.add_error(field, str(message))
