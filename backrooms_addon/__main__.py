"""Entry point for `python -m backrooms_addon`."""

import os
import sys

from .cli import main

status = main()
if "bpy" in sys.modules:
    # The bpy 4.2 module can crash at interpreter exit, freeing UI classes that the glTF exporter
    # registered after Python has shut down. By now every output is written and closed, so
    # leave without running those destructors and keep the exit status honest.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
sys.exit(status)
