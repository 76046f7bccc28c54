"""Outcomes: the clinic's own response, remission, durability and safety, with honest denominators.

The pure rules live in ``ketaclinic.clinical.outcomes``; this app stores one pre-aggregated
``CourseOutcome`` row per started course (refreshed when assessments or sessions change),
answers cohort questions with one aggregate query, and shows, exports and audits them.
"""
