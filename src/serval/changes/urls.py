"""Routes of the change pages, included from `serval.urls`; each concept lists its own.

Literal paths (calendar, templates, windows, reports) come before the change page's
`changes/<number>/` so a word is never taken for a number.
"""

from serval.changes.views import core, review, risk, schedule

urlpatterns = [*schedule.urlpatterns, *risk.urlpatterns, *review.urlpatterns, *core.urlpatterns]
