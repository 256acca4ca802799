"""The time a build or a release records: now, or SOURCE_DATE_EPOCH when that is set.

A build's finishing time is cited ("fmtr working database built 2026-12-01"), so two builds of
the same corpus cite different dates when they run on either side of midnight. SOURCE_DATE_EPOCH
(https://reproducible-builds.org/specs/source-date-epoch/) is the convention that pins such
times: set, it is the time every build run and release records (start and end alike); unset,
the clock's. Only recorded times read it: what tells one build from the next (the search index's
refresh time) keeps the real clock. A module of its own so that every layer can read it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from fmtr.errors import InputError

VARIABLE = "SOURCE_DATE_EPOCH"


def recorded_now() -> datetime:
    """The time to record as now (UTC, aware); the spec asks that a malformed value stop the
    build, so it raises InputError rather than fall back to the clock."""
    value = os.environ.get(VARIABLE, "")
    if not value:
        return datetime.now(UTC)
    if not value.isascii() or not value.isdigit():
        raise InputError(f"{VARIABLE}={value!r}: give whole seconds since 1970-01-01 UTC")
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        raise InputError(f"{VARIABLE}={value!r}: out of range") from None
