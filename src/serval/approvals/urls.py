"""Routes of the approval pages (my approvals, policies, boards and meetings, signed links)."""

from serval.approvals import views

urlpatterns = [*views.urlpatterns]
