"""The guard: judges each proposed action before it happens (allow, confirm or block, with reasons).

A pure library: no I/O, no printing, no vault, no model. See `assess.assess`. The one exception is
`second.second_opinion`, off by default, which asks a model the caller passes in and can only add
caution to the verdict.
"""

from homebody.guard.assess import Decision, Verdict, assess
from homebody.guard.known import Known
from homebody.guard.policy import Policy

__all__ = ["Decision", "Known", "Policy", "Verdict", "assess"]
