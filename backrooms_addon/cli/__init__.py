"""The command-line front end: generate, batch and info, and the batch's workers and backends."""

from .commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, blender_command, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "blender_command", "main"]
