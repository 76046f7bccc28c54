"""WSGI entry point for gunicorn: ``gunicorn ketaclinic.config.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
application = get_wsgi_application()

# In the server, requests hand their audit batches to one writer thread per process
# (group commit, the chain pass off the request): see apps/audit/writer.py.
from ketaclinic.apps.audit.writer import audit_writer  # noqa: E402 - needs django set up

audit_writer.enable()
