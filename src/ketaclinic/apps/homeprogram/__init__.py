"""The home-based sublingual program: prescriptions, the home dosing calendar, check-ins
through the patient's private link, missed check-ins and pill counts (issue 8)."""
