"""WSGI entry point for gunicorn: ``gunicorn ketaclinic.config.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
application = get_wsgi_application()

# In the server, requests hand their audit batches to one writer thread per process
# (group commit, the chain pass off the request): see apps/audit/writer.py.
from ketaclinic.apps.audit.writer import audit_writer  # noqa: E402 - needs django set up

audit_writer.enable()

# Import every view now, not on the first requests: with ``ketaclinic serve`` the server
# loads this module before it forks, so its processes start with the code already in memory
# (shared), and no process spends its first seconds of traffic importing.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
