"""Pieces of `benchmarks/hub_storm.py`: stacks, the teacher's journey, memory and the report."""
