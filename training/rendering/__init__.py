"""Turning data into text for people, in or out of a request: the Jinja environment over templates/ with its
filters (`templates`; pages, mails and printed reports use the same one) and the display labels of stored
enumerations (`labels`). Knows nothing of HTTP, so services (mails) and web handlers both use it."""
