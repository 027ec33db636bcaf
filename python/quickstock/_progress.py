"""Progress bars (tqdm, on stderr) for long fits, cross-validations and reports.

A bar is shown when ``verbose`` is True, or when it is None and stderr is a terminal or the
code runs in a Jupyter kernel; never when False or when tqdm is not installed. Bars go to
stderr only and never change a result.
"""

from __future__ import annotations

import sys
from typing import Any, Callable


def enabled(verbose: bool | None) -> bool:
    """Whether a bar is shown for ``verbose`` (see the module docstring)."""
    if verbose is None:
        shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
        verbose = bool(getattr(sys.stderr, "isatty", lambda: False)()) or (
            shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
        )
    if not verbose:
        return False
    try:
        import tqdm  # noqa: F401
    except ImportError:  # pragma: no cover - tqdm is optional
        return False
    return True


_DELAY = 1.0  # seconds a fit or cross-validation runs before its bar appears


def _ignore(done: int, total: int) -> None:
    """The progress callback without a bar."""


class Bar:
    """A tqdm bar of ``total`` units, or nothing when not :func:`enabled`.

    With ``delayed``, it appears only once the call has run for ``_DELAY`` seconds, so quick
    calls print nothing.
    """

    def __init__(
        self, verbose: bool | None, total: int, desc: str, unit: str, delayed: bool = False
    ) -> None:
        self.bar: Any = None
        self._base = 0  # units completed by earlier steps
        if enabled(verbose):
            from tqdm import tqdm  # text bar: works in terminals and notebooks alike

            self.bar = tqdm(total=total, desc=desc, unit=unit, leave=False, file=sys.stderr,
                            mininterval=0.0, miniters=1, delay=_DELAY if delayed else 0.0)

    def label(self, text: str) -> None:
        """Shows ``text`` beside the bar (what is running now)."""
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)

    def step(self, label: str | None = None, n: int = 1) -> None:
        """Advances the bar by ``n`` units, showing ``label`` beside it."""
        if self.bar is not None:
            if label is not None:
                self.label(label)
            self._base += n
            self._show(self._base)

    def tracker(self, units: int) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback for one C++ call worth ``units`` of the bar (a
        panel fit: its series); a no-op without a bar (passing it still lets Ctrl-C cancel the
        call). Call :meth:`step` with ``units`` after the call returns."""
        if self.bar is None:
            return _ignore
        base = self._base

        def progress(done: int, total: int) -> None:
            if total > 0:
                self._show(base + units * min(done, total) // total)

        return progress

    def _show(self, position: int) -> None:
        delta = position - self.bar.n
        if delta > 0:
            self.bar.update(delta)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
