"""Staff accounts, log-in sessions, roles and rate limits."""
