"""What every domain shares and nothing else: the acting user (`actor`), masking of personal data (`masking`),
typed codes (`codes`), the local time zone and the clock (`clock`). Pure: imports nothing from the project, so
every package may import it."""
