"""Run the command line as ``python -m refgraph``."""

import sys

from refgraph.cli import main

sys.exit(main())
