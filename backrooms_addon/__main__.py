"""Entry point for `python -m backrooms_addon`."""

import sys

from .cli import main

sys.exit(main())
