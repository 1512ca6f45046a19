"""The second quarter of the programs of tests/programs, run as test_programs.py runs them.

The programs take the longest of any tests, so they are split over four
files, each with its own module fixture that warms the compiler's caches.
"""

from __future__ import annotations

import pytest

from test_programs import _warm_caches, check_program, program_params  # noqa: F401


@pytest.mark.parametrize("name", program_params(1))
def test_program(name, tmp_path):
    check_program(name, tmp_path)
