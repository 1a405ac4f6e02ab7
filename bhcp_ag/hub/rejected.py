"""A change the hub refuses: the one exception every part of applying a change raises."""

from __future__ import annotations


class Rejected(Exception):
    """A change the hub refuses, finally: ``code`` for machines, the message for people."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
