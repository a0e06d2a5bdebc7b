"""Exceptions the package raises, each with a message a user can act on.

Examples
--------
>>> str(LoadError("survey.csv", "cannot be read", line=3))
'survey.csv, line 3: cannot be read'
"""

from __future__ import annotations


class USGAError(Exception):
    """Base class: every error of the package; the CLI prints its message, not a traceback."""


class CodebookError(USGAError):
    """A codebook YAML file does not fit the codebook format."""


class ParamsError(USGAError):
    """A params file does not fit the params schema."""


class LoadError(USGAError):
    """A raw file cannot be read (missing, wrong encoding, truncated, ragged rows ...)."""

    def __init__(self, file: str, message: str, line: int | None = None, column: str | None = None):
        self.file, self.line, self.column = file, line, column
        where = file + (f", line {line}" if line is not None else "") + (
            f", column {column!r}" if column is not None else "")
        super().__init__(f"{where}: {message}")


class ValidationError(USGAError):
    """A table breaks the schema; carries every problem found, not just the first."""

    def __init__(self, problems: list, header: str = ""):
        self.problems = problems
        body = "\n".join("  - " + p.describe() for p in problems)
        n = len(problems)
        super().__init__(f"{header}{n} problem{'s' if n != 1 else ''} must be fixed:\n{body}")
