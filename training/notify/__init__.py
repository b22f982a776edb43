"""Reaching teachers on the channels that work for them: preferences, which channel gets what, reminders before
a session, change notices and broadcasts. Transport is the outbox (training/mail, training/sms)."""
