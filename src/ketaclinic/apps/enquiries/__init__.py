"""The public waitlist: enquiries from people who want treatment, and the triage queue."""
