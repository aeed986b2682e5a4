"""macOS Messages `chat.db` (and iOS `sms.db`): iMessage, SMS and RCS messages as message items."""
