"""Measurement-based care in the clinic: assessments, self-report links, schedules, charts.

Scores come only from ``ketaclinic.clinical.scales``; this app stores, shows, sends and
audits them, and turns a scale's alert flags into clinician alerts.
"""
