"""Programmes, sessions / cohorts, per-county quotas and timetable blocks."""
