"""WhatsApp "Export chat" files (Android `.txt`, iOS `.zip` with `_chat.txt`) as message items."""
