"""cadre's exceptions: one hierarchy, each also the matching built-in.

Every error raised by a cadre call is a CadreError carrying the C ABI's code, its
name, the message, and the details (for input errors: the JSON path of the field,
the offending value and the rule). Each class also subclasses the built-in a
Python user would catch: a missing document is a KeyError, bad input a
ValueError, a storage failure an OSError.
"""

import json


class CadreError(Exception):
    """Base of every cadre error."""

    code = -1
    code_name = "unknown"

    def __init__(self, message, details=None):
        super().__init__(message)
        self.message = message
        self.details = details or {}

    @property
    def path(self):
        """JSON path of the offending field (e.g. 'events[3].amount_minor'), or None."""
        return self.details.get("path")

    @property
    def value(self):
        """The offending value (decoded from JSON: a str, int, ...), or None when the field was missing."""
        return self.details.get("value")

    @property
    def rule(self):
        """The rule that was broken, or None."""
        return self.details.get("rule")

    def __str__(self):
        return self.message


class InvalidArgumentError(CadreError, ValueError):
    code, code_name = 1, "invalid_argument"


class NotFoundError(CadreError, KeyError):
    code, code_name = 2, "not_found"

    def __str__(self):  # KeyError would print the repr of its argument
        return self.message


class AlreadyExistsError(CadreError):
    code, code_name = 3, "already_exists"


class ConflictError(CadreError):
    """A write named a stale version (optimistic concurrency): re-read and retry."""

    code, code_name = 4, "conflict"


class FailedPreconditionError(CadreError):
    code, code_name = 5, "failed_precondition"


class OutOfRangeError(CadreError, ValueError):
    code, code_name = 6, "out_of_range"


class UnavailableError(CadreError, OSError):
    code, code_name = 7, "unavailable"


class HostCallbackError(CadreError):
    code, code_name = 8, "host_callback"


class InternalError(CadreError, RuntimeError):
    code, code_name = 9, "internal"


class NoMemoryError(CadreError, MemoryError):
    code, code_name = 10, "no_memory"


class MisuseError(CadreError, RuntimeError):
    code, code_name = 11, "misuse"


class PermissionDeniedError(CadreError, PermissionError):
    code, code_name = 12, "permission_denied"


_BY_CODE = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        ConflictError,
        FailedPreconditionError,
        OutOfRangeError,
        UnavailableError,
        HostCallbackError,
        InternalError,
        NoMemoryError,
        MisuseError,
        PermissionDeniedError,
    )
}


def from_last_error(native, code):
    """The exception for the calling thread's last cadre error."""
    message = (native.cadre_error_message() or b"").decode("utf-8", "replace")
    try:
        details = json.loads((native.cadre_error_details_json() or b"{}").decode("utf-8", "replace"))
    except ValueError:
        details = {}
    cls = _BY_CODE.get(code, CadreError)
    return cls(message or f"cadre error {code}", details)
