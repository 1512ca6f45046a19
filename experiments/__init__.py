"""Experiments that measure the claims about learned annealing schedules.

`python -m experiments.run_all` runs every experiment and writes
docs/results.md; see runner.py for the module contract.
"""
