"""Email: single `.eml` messages and mbox mailboxes (Thunderbird, Apple Mail, Gmail Takeout).

`parse` turns bytes into items and is pure; `connector` finds the files and registers the `mbox` and
`eml` source kinds.
"""
