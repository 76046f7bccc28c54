"""Session charting: the day of a dosing session, from check-in to discharge, and its notes."""
