"""Counties, schools and teachers (one person across the years)."""
