"""Errors a user can cause.

Every problem with input the user controls (a scenario file, an ``extends``
chain, a ``--set`` override, a deal id) is raised as :class:`UserError`. The
command line turns it into one message on standard error and exit status 2;
the Python API lets it propagate, so notebooks see the same message.

A message may quote the offending input (``got 'x'``). When the input comes from a
file the user did not name (a file further up an ``extends`` chain), only the
message's *plain* form is shown, which quotes nothing read from that file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """A problem with the user's input, reported without a traceback.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    source : str, optional
        The file (or ``--set`` argument) the problem comes from.
    key : str, optional
        Dotted key path inside the source, e.g. ``actors.russia.patience``.
    line : int, optional
        Line in the source file, where it is known.
    plain : str, optional
        The message without any quoted input; default: the message itself (for a
        message that quotes nothing).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        key: str | None = None,
        line: int | None = None,
        plain: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.key = key
        self.line = line
        self.plain = message if plain is None else plain
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where += f", line {self.line}"
        head = f"{where}: " if where else ""
        key = f"{self.key}: " if self.key else ""
        return f"{head}{key}{self.message}"


class InputValueError(ValueError):
    """A ``ValueError`` of a schema validator that also knows its message in plain form.

    Parameters
    ----------
    message : str
        What is wrong, quoting the input where that helps.
    plain : str
        The same without any quoted input (see :class:`UserError`).
    """

    def __init__(self, message: str, *, plain: str) -> None:
        super().__init__(message)
        self.plain = plain


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
