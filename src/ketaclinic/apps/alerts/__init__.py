"""Clinical alerts: what needs a clinician now, until a clinician acknowledges it with a note."""
