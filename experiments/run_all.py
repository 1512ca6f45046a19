"""Run every experiment and write docs/results.md and docs/results.json.

    python -m experiments.run_all              # full sweep, into docs/
    python -m experiments.run_all --quick      # reduced sweep, into a temporary directory
    python -m experiments.run_all --scheduler tcp://HOST:8786

See experiments/runner.py for the options and the experiment contract.
"""

import sys

from experiments.runner import main

if __name__ == "__main__":
    sys.exit(main())
