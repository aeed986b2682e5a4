"""IMAP accounts: mail read from an IMAP server, incrementally by UIDVALIDITY/UID (RFC 3501).

`account` turns the user's `imaps://user@host/MAILBOX` into an account and finds its password;
`protocol` holds the pure pieces of the IMAP wire format (LIST, STATUS, FETCH responses, modified
UTF-7 names); `session` talks to the server with the standard library's `imaplib`; `state` keeps
the per-mailbox cursor; `connector` registers the `imap` source kind. Messages are parsed by the
email connector's parser.
"""
