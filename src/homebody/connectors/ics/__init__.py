"""iCalendar files (`.ics`, RFC 5545) as event items, and their to-dos as notes."""
