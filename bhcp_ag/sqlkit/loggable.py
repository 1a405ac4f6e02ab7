"""What may be logged of an error: never its message, which can hold a patient's details.

A database's message can quote the values of a row ("Failing row contains (…)",
"Key (…)=(…) already exists"), and any other error's message may quote its input. So a
log line names the error's type, for a database error its SQLSTATE, constraint and table,
and the stack (files, lines and code, no values), which is what finding the fault needs.
The engines hide statement parameters as well (``hide_parameters``).
"""

from __future__ import annotations

import traceback

from sqlalchemy.exc import DBAPIError


def describe_error(error: BaseException) -> str:
    """``error``'s type and, for a database error, its SQLSTATE, constraint and table."""
    words = type(error).__name__
    if isinstance(error, DBAPIError):
        diag = getattr(error.orig, "diag", None)
        facts = {
            "SQLSTATE": getattr(error.orig, "sqlstate", None),
            "constraint": getattr(diag, "constraint_name", None),
            "table": getattr(diag, "table_name", None),
        }
        known = [f"{name} {value}" for name, value in facts.items() if value]
        words = f"{words} from {type(error.orig).__name__}" + (
            f" ({', '.join(known)})" if known else ""
        )
    return words


def stack_of(error: BaseException) -> str:
    """Where ``error`` was raised, and what led there, without any message."""
    stack = "".join(traceback.format_tb(error.__traceback__))
    cause = error.__cause__ or error.__context__
    if cause is not None and cause is not error:
        stack = f"{stack_of(cause)}{describe_error(cause)}, which led to:\n{stack}"
    return stack


def loggable(error: BaseException) -> str:
    """One text for a log line: what the error is, then where it came from."""
    return f"{describe_error(error)}\n{stack_of(error)}".rstrip()
