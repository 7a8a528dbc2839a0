"""The web UI's routes; each app's views are wired here so the map of pages is in one place."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from serval.incidents import views as incidents
from serval.people import views as people
from serval.web import auth, views

urlpatterns = [
    path("", views.my_work, name="my-work"),
    # --- accounts
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", people.profile, name="profile"),
    path("accounts/tokens/", people.token_create, name="token-create"),
    path("accounts/tokens/<int:token_id>/revoke", people.token_revoke, name="token-revoke"),
    path("accounts/password/", people.password_change, name="password-change"),
    path("accounts/password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # --- incidents
    path("incidents/", incidents.incident_list, name="incident-list"),
    path("incidents/new", incidents.incident_create, name="incident-create"),
    path("incidents/export.csv", incidents.incident_export, name="incident-export"),
    path("incidents/priority", incidents.priority_preview, name="incident-priority"),
    path("incidents/assignees", incidents.assignee_options, name="incident-assignees"),
    path("incidents/<str:number>/", incidents.incident_detail, name="incident-detail"),
    path("incidents/<str:number>/edit", incidents.incident_edit, name="incident-edit"),
    path(
        "incidents/<str:number>/transition",
        incidents.incident_transition,
        name="incident-transition",
    ),
    path(
        "incidents/<str:number>/transition/<str:target>/form",
        incidents.incident_transition_form,
        name="incident-transition-form",
    ),
    path(
        "incidents/<str:number>/text/form",
        incidents.incident_text_form,
        name="incident-text-form",
    ),
    path("incidents/<str:number>/comment", incidents.incident_comment, name="incident-comment"),
    path("incidents/<str:number>/attach", incidents.incident_attach, name="incident-attach"),
    path("incidents/<str:number>/watch", incidents.incident_watch, name="incident-watch"),
    path("incidents/<str:number>/parent", incidents.incident_parent, name="incident-parent"),
    path("incidents/<str:number>/major", incidents.incident_major, name="incident-major"),
    path("incidents/<str:number>/impact", incidents.incident_impact_links, name="incident-impact"),
    path(
        "incidents/<str:number>/impact/options",
        incidents.incident_impact_options,
        name="incident-impact-options",
    ),
    path("incidents/<str:number>/links", incidents.incident_links, name="incident-links"),
    path(
        "attachments/<int:attachment_id>/download",
        views.attachment_download,
        name="attachment-download",
    ),
    # --- queues and saved views
    path("queues/", views.team_queues, name="team-queues"),
    path("queues/<int:team_id>/", incidents.incident_list, name="team-queue"),
    path("views/", views.saved_view_create, name="saved-view-create"),
    path("views/<int:view_id>/delete", views.saved_view_delete, name="saved-view-delete"),
    path("sla/", include("serval.sla.urls")),
]
