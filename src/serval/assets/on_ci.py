"""What asset management knows about CIs, for the CMDB's pages: the linked asset (tag, status,
warranty and lease) and the installed software versions with their support dates and phase.

`for_cis(user, ids)` answers for any number of CIs in two queries, so the CI page and every node
of the service map use the same reading; only records the user may see are read
(`serval.assets.querysets`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from serval.assets import eol
from serval.assets.models import Asset, Installation
from serval.assets.querysets import assets_visible_to, installations_visible_to
from serval.people.models import User

SOON_DAYS = 90


@dataclass
class Software:
    installation: Installation
    phase: str  # a key of eol.PHASES, or "" when the version has no end dates
    milestone: date | None
    days: int | None = None  # to the milestone (negative: past it)

    @property
    def soon(self) -> bool:
        """Past its end of support or life, or reaching it within 90 days."""
        return self.days is not None and self.days <= SOON_DAYS

    @property
    def past(self) -> bool:
        return self.days is not None and self.days < 0

    @property
    def version(self) -> str:
        v = self.installation.software_version
        return f"{v.product.vendor} {v.product.name} {v.version}"

    @property
    def phase_label(self) -> str:
        return str(eol.PHASES[self.phase]) if self.phase else ""


@dataclass
class OnCI:
    asset: Asset | None = None
    software: list[Software] = field(default_factory=list)
    today: date = field(default_factory=timezone.localdate)

    @property
    def warranty_over(self) -> bool:
        return bool(self.asset and self.asset.warranty_end and self.asset.warranty_end < self.today)

    @property
    def at_risk(self) -> list[Software]:
        """Versions past end of support or life, or reaching it within 90 days."""
        return [s for s in self.software if s.soon]

    def summary(self) -> str:
        """One line per fact, for a service-map tooltip."""
        lines: list[str] = []
        if self.asset is not None:
            a = self.asset
            text = _("Asset %(tag)s, %(status)s") % {
                "tag": a.asset_tag or a.name,
                "status": a.lifecycle_status.replace("_", " "),
            }
            if a.warranty_end:
                text += ", " + _("warranty until %s") % a.warranty_end.isoformat()
            lines.append(text)
        for s in self.software:
            text = s.version
            if s.phase:
                text += f" — {s.phase_label}"
                if s.milestone:
                    text += f" ({s.milestone.isoformat()})"
            lines.append(text)
        return "\n".join(lines)


def for_cis(user: User, ci_ids: Iterable[int]) -> dict[int, OnCI]:
    """CI id → its asset and software, for the CIs among `ci_ids` that have either."""
    ids = sorted(set(ci_ids))
    if not ids:
        return {}
    today = timezone.localdate()
    out: dict[int, OnCI] = {}
    for asset in assets_visible_to(user).filter(ci_id__in=ids).select_related("assigned_to"):
        assert asset.ci_id is not None
        out.setdefault(asset.ci_id, OnCI(today=today)).asset = asset
    installed = (
        installations_visible_to(user)
        .filter(ci_id__in=ids)
        .select_related("software_version__product")
        .order_by("software_version__product__name", "software_version__version", "pk")
    )
    for inst in installed:
        version = inst.software_version
        when = eol.milestone(version)
        out.setdefault(inst.ci_id, OnCI(today=today)).software.append(
            Software(
                inst,
                eol.phase(version, today) if when else "",
                when,
                (when - today).days if when else None,
            )
        )
    return out
