"""Errors of concurrent editing, shared by every app's services and mapped to HTTP statuses by
``tumorboard.api.exception_handler`` (and the pages): never a 500, never a silent overwrite.
"""

from __future__ import annotations


class StaleVersion(Exception):
    """The client edited version N of a record that is now at ``current`` (HTTP 412)."""

    def __init__(self, *, current: int) -> None:
        self.current = current
        super().__init__(
            f"This record was changed by someone else since you read it (it is now version "
            f"{current}). Reload it and apply your change again."
        )


class Conflict(Exception):
    """A change collided with another made at the same moment, or with a record that already
    exists (HTTP 409). ``field`` is the error key of the answer (``non_field_errors`` unless
    one field is the cause, e.g. an MRN)."""

    DEFAULT = (
        "This change conflicts with another change made at the same moment. Reload and try again."
    )

    def __init__(self, message: str = DEFAULT, *, field: str = "non_field_errors") -> None:
        self.field = field
        super().__init__(message)
