"""IOP pages: groups (list, page, create and edit, roster, calendar), a session's attendance
sheet and notes, and a patient's IOP hours."""
