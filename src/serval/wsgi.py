"""WSGI entry point for gunicorn (`serval serve`).

`serval serve` runs gunicorn with `--preload`, so this module is imported once, in the gunicorn
master, and the workers are forked from it already loaded. The URLconf (which imports every
view and builds the API's schemas, most of a worker's start-up) is resolved here rather than on
the first request, so a forked worker answers at once and shares those pages with the others.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")
application = get_wsgi_application()


def _load_urlconf() -> None:
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the import is the point)
    connections.close_all()  # nothing opened here may be shared with forked workers


_load_urlconf()
