"""Settings split by environment: base, dev (the embedded one-command default), test, production."""
