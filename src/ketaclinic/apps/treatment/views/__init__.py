"""Treatment pages: screening and sign-off, plans and their changes, the schedule, settings."""
