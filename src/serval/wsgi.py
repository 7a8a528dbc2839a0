"""WSGI entry point for gunicorn (`serval serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")
application = get_wsgi_application()
