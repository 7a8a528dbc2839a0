"""Settings for django-helpdesk, the peer measured side by side (issue 6), in its own venv.

Production-like: DEBUG off, the same PostgreSQL server as Serval (its own database), DRF token
authentication (like Serval's bearer tokens), mail to a dummy backend.
"""

import os

SECRET_KEY = "bench-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "hd_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["HD_DB_NAME"],
        "USER": os.environ["HD_DB_USER"],
        "PASSWORD": os.environ["HD_DB_PASSWORD"],
        "HOST": "127.0.0.1",
        "PORT": os.environ["HD_DB_PORT"],
        "CONN_MAX_AGE": 60,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
USE_TZ = True
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_ACTIVATE_API_ENDPOINT = True
REST_FRAMEWORK = {
    # Tokens for its REST API; the session for its staff pages' JSON endpoints (the ticket
    # list's table), as its own UI uses them. Without it that endpoint answers an empty list.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}
LOGIN_URL = "/login/"
HELPDESK_TEAMS_MODE_ENABLED = False  # pinax-teams is optional; teams are not measured
