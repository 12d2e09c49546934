"""Domain errors raised by the core; front ends turn them into reports or exit codes."""


class BackroomsError(Exception):
    """Base class for every error the generator raises on purpose."""


class InvalidSpecError(BackroomsError, ValueError):
    """A spec field holds a value outside what the generator accepts."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")
