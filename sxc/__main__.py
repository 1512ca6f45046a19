"""`python -m sxc` runs the `sxc` command line."""

import sys

from sxc.cli import main

sys.exit(main())
