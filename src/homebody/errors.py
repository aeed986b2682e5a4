"""Every exception homebody raises on purpose, in one tree.

Each branch says what happens next, so callers can decide without reading messages::

    HomebodyError                     base; the CLI maps it to exit code 1 and prints its message
    ├── ConfigError                   bad config.toml or environment: the user must fix it (exit 2)
    │   └── EgressRefused             a model or server address outside loopback / private networks
    │                                 that the config does not allow
    ├── VaultError                    the vault cannot be used as asked
    │   ├── VaultLocked               the key is missing or wrong: ask the user for it
    │   ├── MigrationError            the database is newer than this program, or a migration failed
    │   └── NotFound                  no item / source / approval with that id or name
    ├── SourceError                   a whole source cannot be read (missing file, unreadable folder):
    │                                 this source is skipped and its error counted; the others go on
    │   └── UnknownSourceKind         `homebody add` with a KIND no connector provides
    ├── BadRecord                     one record of a source cannot be parsed: skipped, counted,
    │                                 reported with file and position; the sync goes on
    ├── ModelError                    the language or embedding model failed
    │   ├── ModelUnavailable          not installed, not reachable, or refused (retry / reconfigure)
    │   ├── ModelIntegrityError       a model file whose sha256 does not match: never loaded
    │   └── ModelOutputError          the model's output did not fit the schema: the caller may retry
    ├── ApprovalError                 an approval cannot make that move (approving a denied or expired one,
    │                                 cancelling after the undo window): tell the user its state
    ├── ToolError                     a tool call failed on its arguments (unknown tool, bad value,
    │   │                             a server refusing it): in the agent loop it goes back to the model
    │   └── ToolUnavailable           the server a tool needs could not be reached or timed out:
    │                                 nothing was done, so the same call may be retried later
    └── LedgerBroken                  the audit ledger's hash chain does not verify: an entry was
                                      edited, inserted or deleted
"""

from __future__ import annotations


class HomebodyError(Exception):
    """Base of every error homebody raises on purpose."""

    exit_code = 1


class ConfigError(HomebodyError):
    """The configuration is wrong; the user must change it."""

    exit_code = 2


class EgressRefused(ConfigError):
    """A network address outside this machine and its private network that the user did not allow."""


class VaultError(HomebodyError):
    """The vault cannot be used as asked."""


class VaultLocked(VaultError):
    """The vault's key is missing or wrong."""


class MigrationError(VaultError):
    """The vault's schema cannot be brought to this program's version."""


class NotFound(VaultError):
    """No item or source with that id or name."""


class SourceError(HomebodyError):
    """A whole source cannot be read; it is skipped and the others go on."""


class UnknownSourceKind(SourceError):
    """No connector provides this source kind."""


class BadRecord(HomebodyError):
    """One record cannot be parsed; it is skipped and counted, and the sync goes on."""

    def __init__(self, file: str, position: str, reason: str) -> None:
        super().__init__(f"{file} at {position}: {reason}")
        self.file = file
        self.position = position
        self.reason = reason


class ModelError(HomebodyError):
    """The language or embedding model failed."""


class ModelUnavailable(ModelError):
    """The model is not installed, not reachable, or was refused."""


class ModelIntegrityError(ModelError):
    """A model file's checksum does not match the pinned one; it is never loaded."""


class ModelOutputError(ModelError):
    """The model's output did not fit the requested schema."""


class ApprovalError(HomebodyError):
    """An approval cannot make the requested move from the state it is in."""


class ToolError(HomebodyError):
    """A tool call failed on its arguments; the agent loop hands it back to the model."""


class ToolUnavailable(ToolError):
    """The server a tool needs could not be reached; nothing was done, so the call may be retried."""


class LedgerBroken(HomebodyError):
    """The audit ledger's hash chain does not verify."""
