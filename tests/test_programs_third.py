"""The third quarter of the programs of tests/programs, run as test_programs.py runs them.

pytest-xdist keeps each test file on one worker, and the programs take the
longest of any file, so they are split over four files that the workers
share.
"""

from __future__ import annotations

import pytest

from test_programs import _warm_caches, check_program, program_params  # noqa: F401


@pytest.mark.parametrize("name", program_params(2))
def test_program(name, tmp_path):
    check_program(name, tmp_path)
