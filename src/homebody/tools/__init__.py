"""Actions homebody can take, each declaring its effects (see `effects`)."""
