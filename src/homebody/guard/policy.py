"""The user's guard policy: the `[guard]` table of config.toml.

::

    [guard]
    confirm_amount = 500.0           # a payment above this asks, unless the user typed the amount
    block_amount = 10000.0           # a payment above this is refused, whoever asked (unset: no cap)
    amount_ratio = 5.0               # asks when an amount is this many times the usual for the payee
    max_recipients = 10              # asks when a message goes to more people than this
    bulk_items = 3                   # asks when one run deletes or attaches more items than this
    trusted_contacts = ["sam@example.com", "+44 7700 900582"]
    trusted_payees = ["GB29 NWBK 6016 1331 9268 19"]
    sensitive_recipients = ["boss@work.example"]   # messages to them must be in the user's own words
    own = ["me@example.com"]         # the user's own addresses and accounts
    second_opinion = false           # also ask the local model whether an allowed action serves the
                                     # request; it can only turn an allow into a question (slow: a
                                     # model call per allowed action that does more than read)
    [guard.tools]                    # per-tool overrides: allow | confirm | block
    delete_file = "confirm"
    post_webpage = "block"

An override of `allow` waives the guard's questions for that tool but never a block: an action that
prompt-injected data chose is refused even for a tool the user trusts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from homebody.guard.known import Known

Override = Literal["allow", "confirm", "block"]


class Policy(BaseModel):
    """Thresholds, trusted people and payees, and per-tool overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    confirm_amount: float = Field(default=500.0, ge=0)
    block_amount: float | None = Field(default=None, gt=0)
    amount_ratio: float = Field(default=5.0, gt=1)
    max_recipients: int = Field(default=10, ge=1)
    bulk_items: int = Field(default=3, ge=1)
    trusted_contacts: list[str] = Field(default_factory=list)
    trusted_payees: list[str] = Field(default_factory=list)
    sensitive_recipients: list[str] = Field(default_factory=list)
    own: list[str] = Field(default_factory=list)
    tools: dict[str, Override] = Field(default_factory=dict)
    unattended_risk: float = Field(default=0.3, ge=0, le=1)
    second_opinion: bool = False

    def known(self) -> Known:
        """The trusted facts the policy itself names."""
        return Known.of(
            own=self.own,
            contacts=self.trusted_contacts,
            payees=self.trusted_payees,
            sensitive=self.sensitive_recipients,
        )
