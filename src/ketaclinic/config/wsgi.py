"""WSGI entry point for gunicorn: ``gunicorn ketaclinic.config.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
application = get_wsgi_application()
