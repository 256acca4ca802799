"""The search's rows (row_facets) in memory, one array per column, for a server.

A search's count, sums and five facets were five GROUP BYs over the matching rows in SQL: each
sorts them (SQLite has no hash aggregate), 33-40 ms per facet for the 29,496 rows of
"International", 177 ms in all for the 64,750 of "Training", most of a search's time
(bench/serve.py's faceted search, 2026-12-02). Here each facet is one ``numpy.bincount`` over
codes: the same integers, in about a millisecond. The arrays are loaded once per server process
and build (``prepare_search``, 253,925 rows, about 10 MB); a process asking once reads SQLite
instead (loading costs more than one question), and so does a question this does not cover
(a unit's rows: ``unit_keys``).

Sums are exact: counts are integers, and the sums of trainees and cents are added as float64,
which is exact below 2**53; the load refuses (and SQL answers) a database whose absolute sums
could reach it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from fmtr.query.resolve import Database, connect, per_build, require_search_index
from fmtr.store.sql import fast_rows, in_list

# The facets, each with its row_facets column (fmtr.query.find reads them in this order).
FACET_COLUMNS = {
    "country": "country_code",
    "programme": "programme_code",
    "fy": "fy",
    "school": "us_unit_key",
    "location": "location_key",
}
_EXACT = 2**53  # float64 adds integers exactly below this
_BATCH = 5_000  # rows read at a time (RSS +21 MiB for the 13 MiB of arrays; 20,000: +37)
Ids = npt.NDArray[np.int64]
# (facet or "total", value, rows, trainees, cost in cents, rows without quantity, without cost)
FacetRow = tuple[str, Any, int, int, int, int, int]


@dataclass(frozen=True)
class FacetColumns:
    present: npt.NDArray[np.bool_]  # per id: a row of row_facets
    counted: npt.NDArray[np.bool_]
    codes: dict[str, npt.NDArray[np.int32]]  # per facet: the code of each row's value
    values: dict[str, list[Any]]  # per facet: the value of each code (None: NULL)
    trainees: npt.NDArray[np.float64]  # 0 where NULL
    has_trainees: npt.NDArray[np.float64]  # 1.0 or 0.0
    cost: npt.NDArray[np.float64]
    has_cost: npt.NDArray[np.float64]

    def keep(
        self,
        matching: Ids | Sequence[int] | None,
        country: str | None,
        programme: str | None,
        span: tuple[int, int] | None,
        all_editions: bool,
    ) -> Ids:
        """The ids among ``matching`` (None: every row) that the filters keep, in their
        order: the rows of ``fmtr.query.find``'s WHERE over row_facets."""
        ids: Ids
        if matching is None:
            ids = np.flatnonzero(self.present).astype(np.int64)
        else:
            ids = np.asarray(matching, dtype=np.int64)  # PostgreSQL's index gives a list
            ids = ids[(ids >= 0) & (ids < len(self.present))]
            ids = ids[self.present[ids]]
        if not all_editions:
            ids = ids[self.counted[ids]]
        for facet, value in (("country", country), ("programme", programme)):
            if value is not None:
                ids = ids[self.codes[facet][ids] == self._code(facet, value)]
        if span is not None:
            years = self._years()
            fy = years[self.codes["fy"][ids]]
            ids = ids[(fy >= span[0]) & (fy <= span[1])]
        return ids

    def _code(self, facet: str, value: Any) -> int:
        try:
            return self.values[facet].index(value)
        except ValueError:
            return -1  # no row has it: matches nothing

    def _years(self) -> npt.NDArray[np.float64]:
        return np.array([np.nan if y is None else y for y in self.values["fy"]], dtype=np.float64)

    def facet_rows(self, ids: Ids, limit: int | None) -> tuple[list[FacetRow], dict[str, int]]:
        """What ``fmtr.query.find``'s facet statement returns for the rows ``ids`` (the total,
        then per facet each value's rows, trainees, cost, rows without quantity, without
        cost; values without rows left out), and each facet's number of values. Past
        ``limit`` values (None: all), a facet but the fiscal years' keeps only the values with
        as many rows as its ``limit``-th most (ties included: the caller orders them)."""
        q, has_q = self.trainees[ids], self.has_trainees[ids]
        c, has_c = self.cost[ids], self.has_cost[ids]
        n = len(ids)
        found: list[FacetRow] = [
            ("total", None, n, int(q.sum()), int(c.sum()), n - int(has_q.sum()),
             n - int(has_c.sum()))
        ]  # fmt: skip
        distinct: dict[str, int] = {}
        for facet in FACET_COLUMNS:
            codes = self.codes[facet][ids]
            size = len(self.values[facet])
            rows = np.bincount(codes, minlength=size)
            kept = np.flatnonzero(rows)
            distinct[facet] = len(kept)
            if limit is not None and facet != "fy" and len(kept) > limit:
                least = np.partition(rows[kept], len(kept) - max(limit, 1))[
                    len(kept) - max(limit, 1)
                ]
                kept = kept[rows[kept] >= least] if limit > 0 else kept[:0]
            sums = [np.bincount(codes, weights=w, minlength=size) for w in (q, c, has_q, has_c)]
            values = self.values[facet]
            for code in kept:
                r = int(rows[code])
                found.append(
                    (
                        facet,
                        values[code],
                        r,
                        int(sums[0][code]),
                        int(sums[1][code]),
                        r - int(sums[2][code]),
                        r - int(sums[3][code]),
                    )
                )
        return found, distinct


def prepare_search(db: Database) -> None:
    """Load the search's columns (``FacetColumns``) now (``fmtr.query.prepare_search``)."""
    with connect(db) as conn:
        require_search_index(conn)
        per_build(conn, "facet_columns", _load)


def _load(conn: Connection) -> FacetColumns | None:
    # Read in batches straight into the arrays: the 253,925 rows as tuples at once took the
    # process's RSS up 121 MiB for good (the allocator keeps its arenas), for 13 MiB of arrays.
    size = 1 + int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM row_facets").scalar_one())
    present = np.zeros(size, dtype=np.bool_)
    counted = np.zeros(size, dtype=np.bool_)
    figures = [np.zeros(size, dtype=np.float64) for _ in range(4)]  # q, has q, cost, has cost
    codes = {facet: np.zeros(size, dtype=np.int32) for facet in FACET_COLUMNS}
    seen: dict[str, dict[Any, int]] = {facet: {} for facet in FACET_COLUMNS}
    magnitude = [0, 0]
    found = conn.execution_options(stream_results=True).exec_driver_sql(
        "SELECT id, counted, trainees, cost_cents, " + ", ".join(FACET_COLUMNS.values())
        + " FROM row_facets"
    )  # fmt: skip
    for batch in found.partitions(_BATCH):
        n = len(batch)
        ids = np.fromiter((r[0] for r in batch), np.int64, n)
        present[ids] = True
        counted[ids] = np.fromiter((bool(r[1]) for r in batch), np.bool_, n)
        for k in (0, 1):
            raw = [r[2 + k] for r in batch]
            figures[2 * k][ids] = np.fromiter((v or 0 for v in raw), np.float64, n)
            figures[2 * k + 1][ids] = np.fromiter((v is not None for v in raw), np.float64, n)
            magnitude[k] += sum(abs(int(v)) for v in raw if v)
        for j, facet in enumerate(FACET_COLUMNS, 4):
            index = seen[facet]
            codes[facet][ids] = np.fromiter(
                (index.setdefault(r[j], len(index)) for r in batch), np.int32, n
            )
    if max(magnitude) >= _EXACT:
        return None  # sums float64 may round: SQL answers
    values = {facet: list(index) for facet, index in seen.items()}
    return FacetColumns(present, counted, codes, values, *figures)


def stable_ids(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Each row's stable identifier ("" when it has none, as the SQL order reads it)."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        marks, chunk = in_list("id", list(ids[i : i + 500]))
        for row_id, stable in fast_rows(
            conn, f"SELECT id, stable_id FROM training WHERE id IN ({marks})", chunk
        ):
            out[int(row_id)] = stable or ""
    return out


def ranked_page(
    conn: Connection,
    matching: Ids,
    scores: npt.NDArray[np.float64],
    ids: Ids,
    firsts: Ids | None,
    limit: int,
    offset: int,
) -> list[int]:
    """The page ``offset``..``offset + limit`` of ``ids`` (some of the rows ``matching``, whose
    keys in the search's order are ``scores``) in the search's order: those in ``firsts``
    first, then by key ascending, then stable identifier, then id. Only the rows whose place
    the identifiers decide (ties at the page's edges) are read for them."""
    # Each id's key: ``matching`` holds each row once, in ascending order from FTS5.
    if len(matching) < 2 or bool((matching[1:] > matching[:-1]).all()):
        at = np.searchsorted(matching, ids)
    else:
        by_id = np.argsort(matching, kind="stable")
        at = by_id[np.searchsorted(matching, ids, sorter=by_id)]
    keys = scores[at]
    later = np.zeros(len(ids), dtype=np.int8)
    if firsts is not None:
        later[~np.isin(ids, firsts)] = 1
    order = np.lexsort((keys, later))
    start, end = offset, min(offset + limit, len(ids))
    if start >= end:
        return []
    # Widen the window to every row tied with its first and last row (same place, same key).
    lo, hi = start, end
    first_key = (later[order[lo]], keys[order[lo]])
    while lo > 0 and (later[order[lo - 1]], keys[order[lo - 1]]) == first_key:
        lo -= 1
    last_key = (later[order[hi - 1]], keys[order[hi - 1]])
    while hi < len(ids) and (later[order[hi]], keys[order[hi]]) == last_key:
        hi += 1
    window = order[lo:hi]
    stable = stable_ids(conn, [int(i) for i in ids[window]])
    ranked = sorted(
        (int(later[j]), float(keys[j]), stable.get(int(ids[j]), ""), int(ids[j])) for j in window
    )
    return [row_id for *_, row_id in ranked[start - lo : end - lo]]
