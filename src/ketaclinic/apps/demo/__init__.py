"""Synthetic demo clinic: one module per area, seeded randomness, bulk inserts.

Later areas (screenings, courses, sessions, questionnaires, ledger) add a module here and a
step in ``seeding.seed_demo_clinic``.
"""
