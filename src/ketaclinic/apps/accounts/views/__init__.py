"""Views of the accounts app: log-in and password, the second factor, staff management."""
