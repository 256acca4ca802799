"""The history tests run on the database written by code (tests/fixture_db.py): Pakistan's
IMET before, between and across the packaged registry's suspensions, FY1999-FY2001 covered
without IMET, FY2003-FY2005 not covered, so that a timeline shows all three statuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine


@pytest.fixture(scope="session")
def history_db(fixture_db: Path) -> Engine:
    from fmtr.store.db import open_read_only

    return open_read_only(str(fixture_db))
