"""QR check-in per timetable block, online and offline."""
