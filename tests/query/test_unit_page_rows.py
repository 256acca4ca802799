"""A unit's page reads the unit's rows once, then by id (fmtr.query.student_units._UnitRows):
the same page as reading them through the unit's keys and recipient, statement by statement,
for every unit of three editions of the corpus, those sharing a key with other recipients
("army", "ministry of defense") included."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from fmtr.query import student_units


def test_every_units_page_is_the_same_read_by_id_or_by_key(
    corpus_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with corpus_db.connect() as conn:
        asked = [
            (c, u)
            for c, u in conn.exec_driver_sql(
                "SELECT country_code, unit FROM unit_figures ORDER BY country_code, unit"
            )
        ]
        shared = conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT key FROM unit_name GROUP BY key "
            "HAVING count(DISTINCT country_code) > 1)"
        ).scalar_one()
    assert len(asked) > 300 and shared > 10  # units enough, and keys printed by several
    pages = {}
    for by_id in (10**6, 0):
        monkeypatch.setattr(student_units, "_BY_ID", by_id)
        pages[by_id] = [
            student_units.unit_page(corpus_db, c, u, all_editions=all_editions, limit=7, offset=1)
            for c, u in asked
            for all_editions in (False, True)
        ]
    assert pages[10**6] == pages[0]
    assert any(p[1] > 7 for p in pages[0])  # pages of several rows, not only empty ones
