"""Completion certificates: eligibility, serials, rendering, verification."""
