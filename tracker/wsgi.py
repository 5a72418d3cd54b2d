"""WSGI entry point for gunicorn: `gunicorn tracker.wsgi`."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from tracker.ops.prefix import PrefixMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

application = get_wsgi_application()
if settings.URL_PREFIX:
    application = PrefixMiddleware(application, settings.URL_PREFIX)
