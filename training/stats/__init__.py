"""Per-county participation statistics, charts and reports."""
