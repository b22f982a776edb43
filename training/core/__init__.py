"""What every domain shares and nothing else: the acting user (`actor`), masking of personal data (`masking`),
codes people type (`codes`), mobile numbers (`phones`), teachers' signed self-service links (`links`), QR
check-in tokens (`tokens`), the local time zone and the clock (`clock`). Imports no package of the project (of
its modules only crypto and keys), so every package may import it."""
