"""Expected errors: each carries a one-line message that tells the user what to fix.

The CLI prints ``str(error)`` on stderr and exits with ``error.exit_code``;
anything else that escapes is a bug and keeps its traceback.
"""
from __future__ import annotations


class KgError(Exception):
    """Base of every error the user can cause and fix."""

    exit_code = 1


class InputError(KgError):
    """A file or folder that cannot be read as a document."""

    exit_code = 2


class StoreError(KgError):
    """The store folder is missing, locked, or not a Reform KG store."""

    exit_code = 3


class QueryError(KgError):
    """A SPARQL query that does not parse or cannot run."""

    exit_code = 4


class FormatError(KgError):
    """An unknown export or result format."""

    exit_code = 5
