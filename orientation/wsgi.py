"""WSGI entry point (gunicorn orientation.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings")

application = get_wsgi_application()
