"""The one exception type for user errors (bad scenario, bad flag).

Every layer raises :class:`GovsimError` when the *user* got something wrong; the CLI prints
its message and exits with status 2. Programming errors stay ordinary exceptions.
"""

from __future__ import annotations

__all__ = ["GovsimError", "shown"]


class GovsimError(Exception):
    """A user error with the path of the offending key and one plain sentence.

    Parameters
    ----------
    message:
        What is wrong, in one sentence.
    path:
        Dotted key path into the scenario or experiment (``regimes.fragmented.channels[2].unit``)
        or the name of the function parameter that caused it (``replications``, ``out``); the
        command line shows the matching flag (``--replications``). Empty when not applicable.

    Examples
    --------
    >>> import govsim
    >>> try:
    ...     govsim.run("district", "no_such_regime", replications=1)
    ... except govsim.GovsimError as err:
    ...     print(err.path, "->", err.message)
    regime -> unknown regime 'no_such_regime'; the scenario has fragmented, consolidated, ...
    >>> str(govsim.GovsimError("must be at least 1, got 0", "replications"))
    'replications: must be at least 1, got 0'
    """

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a sentence that quotes what it refuses: its middle left out when it
    is long, and never an error itself (a list nested too deeply to print, an integer too long
    to print: its type instead)."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        text = f"a {type(value).__name__}"
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half] + "..." + text[-half:]

