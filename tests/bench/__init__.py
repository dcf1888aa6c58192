"""Benchmarks and drills run by setup/bench (see tests/bench/run.py)."""
