"""Benchmarks: each measures one target against the alternative a user would pick, in one run."""
