"""The REST API's shared edge (``edge``): errors, permissions and pages, one way for every app."""
