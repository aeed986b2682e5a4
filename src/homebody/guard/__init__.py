"""The guard: judges each proposed action before it happens (allow, confirm or block, with reasons).

A pure library: no I/O, no printing, no vault, no model. See `assess.assess`.
"""

from homebody.guard.assess import Decision, Verdict, assess
from homebody.guard.known import Known
from homebody.guard.policy import Policy

__all__ = ["Decision", "Known", "Policy", "Verdict", "assess"]
