"""A build worker that dies says how: the one-line error names the signal or the exit code, so
that a user can tell the PDF library's bug from a machine out of memory."""

from __future__ import annotations

import signal
from types import SimpleNamespace

from fmtr.pipeline import _crash_reason


def test_a_crash_names_the_signal_or_the_exit_code() -> None:
    segv = SimpleNamespace(exitcode=-signal.SIGSEGV)
    assert _crash_reason([segv]) == "the PDF reader crashed on this file (signal SIGSEGV)"
    assert _crash_reason([SimpleNamespace(exitcode=3)]) == (
        "the PDF reader crashed on this file (exit code 3)"
    )
    # A worker still running, or one that ended well, adds nothing.
    alive = SimpleNamespace(exitcode=None)
    assert _crash_reason([alive]) == "the PDF reader crashed on this file"
    assert _crash_reason([]) == "the PDF reader crashed on this file"
