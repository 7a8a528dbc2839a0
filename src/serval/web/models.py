"""Web-only data: a user's saved list views (filters kept as a query string) and the files an
import page has checked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serval.core.models import TenantOwned


class SavedList(models.TextChoices):
    """The lists that offer saved views; a view only ever opens the list it was saved on."""

    INCIDENTS = "incidents", _("Incidents")
    CHANGES = "changes", _("Changes")


class SavedView(TenantOwned):
    """A named set of list filters that one user keeps in the sidebar; private to that user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(
        _("list"), max_length=20, choices=SavedList.choices, default=SavedList.INCIDENTS
    )
    name = models.CharField(_("name"), max_length=80)
    querystring = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"], name="saved_view_unique_name_per_list"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StagedUpload(models.Model):
    """A file an import page has checked (dry run), kept so "Import" needs no second upload.

    In the database rather than on disk so that the next request may reach another machine.
    Only its uploader may use it, only on the page that checked it, and only for
    `serval.web.imports.STAGED_FOR`; older ones are deleted whenever a file is staged.
    """

    token = models.CharField(max_length=43, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=200)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.filename
