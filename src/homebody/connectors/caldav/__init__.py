"""CalDAV calendars (RFC 4791): events and to-dos of every calendar under a collection URL."""
