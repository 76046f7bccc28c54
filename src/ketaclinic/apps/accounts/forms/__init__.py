"""Forms of the accounts app: log-in, MFA, staff management."""
