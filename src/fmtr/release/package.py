"""`fmtr release DIR`: a versioned, self-describing release of a database.

    DIR/fmtr.sqlite            the database, stamped with the release (table data_release)
    DIR/csv/<table>.csv        every table, one CSV file each (UTF-8, header, empty = null)
    DIR/parquet/<table>.parquet  the same, typed (Parquet)
    DIR/datapackage.json       Frictionless Data package: every field's type, unit, meaning;
                               primary and foreign keys; licence; sources
    DIR/metadata.json          Datasette metadata: `datasette fmtr.sqlite -m metadata.json`
    DIR/CITATION.cff           how to cite the release
    DIR/README.md              what the release is, its licence, how to use and cite it
    DIR/CHANGES.md             `fmtr diff` against the previous release, when one is given
    DIR/SHA256SUMS             checksums of every file (`sha256sum -c SHA256SUMS`)

The source database is only read. The release is written into a hidden folder beside DIR and
renamed to DIR when complete, so that a failure leaves no half release. Tables are streamed to
CSV and Parquet in batches: the 250,000 training rows are never all in memory.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fmtr import __version__
from fmtr.clock import recorded_now
from fmtr.errors import InputError
from fmtr.extras import require
from fmtr.release import describe
from fmtr.release.datasette import datasette_metadata
from fmtr.release.diff import DiffReport, diff_databases, summary_lines
from fmtr.release.source import SourceError, read_only_uri

DATABASE = "fmtr.sqlite"
BATCH = 50_000
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")


class ReleaseError(InputError):
    """A release that cannot be made as asked: the message says why."""


@dataclass(frozen=True)
class ReleasedFile:
    path: str  # relative to the release folder
    bytes: int
    sha256: str
    rows: int | None = None  # for a table's CSV and Parquet files


@dataclass
class Release:
    directory: Path
    version: str
    previous_version: str | None
    files: list[ReleasedFile] = field(default_factory=list)
    changes: DiffReport | None = None


def default_version(now: datetime) -> str:
    """A date version, 2026.06.01: releases sort by it and say when they were made."""
    return now.strftime("%Y.%m.%d")


def _previous_database(previous: Path) -> Path:
    found = previous / DATABASE if previous.is_dir() else previous
    if not found.is_file():
        raise ReleaseError(f"--previous {previous}: no {DATABASE} there (a release folder)")
    return found


def _stamp(con: sqlite3.Connection) -> str | None:
    row = con.execute("SELECT version FROM data_release ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def make_release(
    source: Path,
    directory: Path,
    *,
    version: str | None = None,
    previous: Path | None = None,
    url: str | None = None,
    now: datetime | None = None,
) -> Release:
    """Write the release of the database ``source`` (read-only) into ``directory`` (new or
    empty). ``previous``: the previous release (its folder or its fmtr.sqlite), for CHANGES.md
    and the release's lineage; ``url``: where the release will be published (cited). Its
    Parquet files need the parquet extra: without it, MissingExtra before anything is read."""
    require("parquet")
    now = (now or recorded_now()).replace(tzinfo=None)
    version = version or default_version(now)
    if not _VERSION.fullmatch(version):
        raise ReleaseError(f"version {version!r}: use letters, digits, '.', '_' or '-'")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ReleaseError(f"{directory} exists and is not an empty folder: choose a new one")
    old = _previous_database(previous) if previous is not None else None
    previous_version = None
    if old is not None:
        con = sqlite3.connect(read_only_uri(old), uri=True)
        try:
            previous_version = _stamp(con)
        except sqlite3.DatabaseError as exc:
            raise ReleaseError(f"--previous {old}: not an fmtr release ({exc})") from None
        finally:
            con.close()
        if previous_version == version:
            raise ReleaseError(f"the previous release is {version} too: give a new --version")
    _check_source(source)

    partial = directory.with_name(f".{directory.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        release = Release(directory, version, previous_version)
        database = partial / DATABASE
        _copy_and_stamp(source, database, version, previous_version, url, now)
        tables = _write_tables(database, partial)
        if old is not None:
            release.changes = diff_databases(old, database)
        _write_json(partial / "datapackage.json", _datapackage(version, now, url, tables))
        _write_json(partial / "metadata.json", datasette_metadata(version, url))
        (partial / "CITATION.cff").write_text(_citation_cff(version, now, url), "utf-8")
        (partial / "CHANGES.md").write_text(
            _changes(version, previous_version, release.changes), "utf-8"
        )
        (partial / "README.md").write_text(_readme(version, now, url, tables), "utf-8")
        release.files = _checksums(partial, tables)
        if directory.exists():
            directory.rmdir()  # empty, checked above
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return release


def _check_source(source: Path) -> None:
    con = sqlite3.connect(read_only_uri(source), uri=True)
    try:
        state = con.execute(
            "SELECT s.build_run_id, (SELECT max(id) FROM build_run) FROM search_state s"
        ).fetchone()
        rows = con.execute("SELECT count(*) FROM training").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise SourceError(f"{source}: not an fmtr database ({exc})") from None
    finally:
        con.close()
    if not rows:
        raise ReleaseError(f"{source} holds no training row: run `fmtr build` first")
    if state is None or state[0] != state[1]:
        raise ReleaseError(
            f"{source}: its figures do not reflect its latest build; run `fmtr build` first"
        )


def _copy_and_stamp(
    source: Path,
    target: Path,
    version: str,
    previous_version: str | None,
    url: str | None,
    now: datetime,
) -> None:
    """A consistent copy (SQLite's backup API reads a snapshot), stamped with the release and
    compacted."""
    src = sqlite3.connect(read_only_uri(source), uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("DELETE FROM data_release")
        dst.execute(
            "INSERT INTO data_release (id, version, created_at, fmtr_version, previous_version, "
            "url) VALUES (1, ?, ?, ?, ?, ?)",
            (version, now.isoformat(sep=" "), __version__, previous_version, url),
        )
        dst.commit()
        dst.execute("VACUUM")
    finally:
        src.close()
        dst.close()


# --- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    name: str
    rows: int
    csv: Path
    parquet: Path


def _batches(con: sqlite3.Connection, table: str) -> Iterator[list[tuple[Any, ...]]]:
    doc = describe.TABLES[table]
    cols = ", ".join(f'"{c}"' for c in doc.columns)
    order = ", ".join(f'"{c}"' for c in doc.primary_key)
    cursor = con.execute(f"SELECT {cols} FROM {table} ORDER BY {order}")
    while batch := cursor.fetchmany(BATCH):
        yield batch


def _csv_value(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "datetime":
        return str(value).replace(" ", "T", 1)
    return value


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us"),
    }.get(kind, pa.string())


def _arrow_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "boolean":
        return bool(value)
    if kind == "date":
        return datetime.strptime(value, "%Y-%m-%d").date()
    if kind == "datetime":
        return datetime.fromisoformat(str(value))
    return value


def _write_tables(database: Path, folder: Path) -> list[_Table]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (folder / "csv").mkdir()
    (folder / "parquet").mkdir()
    con = sqlite3.connect(read_only_uri(database), uri=True)
    out: list[_Table] = []
    try:
        for name, doc in describe.TABLES.items():
            kinds = [c.type for c in doc.columns.values()]
            schema = pa.schema(
                [
                    pa.field(col, _arrow_type(c.type), nullable=not c.required)
                    for col, c in doc.columns.items()
                ]
            )
            csv_path = folder / "csv" / f"{name}.csv"
            parquet_path = folder / "parquet" / f"{name}.parquet"
            rows = 0
            with (
                csv_path.open("w", encoding="utf-8", newline="") as fh,
                pq.ParquetWriter(parquet_path, schema, compression="zstd") as writer,
            ):
                table_csv = csv.writer(fh, lineterminator="\n")
                table_csv.writerow(doc.columns)
                for batch in _batches(con, name):
                    table_csv.writerows(
                        [_csv_value(k, v) for k, v in zip(kinds, r, strict=True)] for r in batch
                    )
                    columns = list(zip(*batch, strict=True))
                    arrays = [
                        pa.array([_arrow_value(k, v) for v in col], type=f.type)
                        for k, col, f in zip(kinds, columns, schema, strict=True)
                    ]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                    rows += len(batch)
                if rows == 0:
                    writer.write_table(schema.empty_table())
            out.append(_Table(name, rows, csv_path, parquet_path))
    finally:
        con.close()
    return out


# --- descriptions ----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def _field(name: str, column: describe.Column) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": column.type, "description": column.description}
    if column.unit:
        # Table Schema has no unit property of its own: "unit" follows the proposal for one,
        # and the description says it in words too.
        out["unit"] = column.unit
        out["description"] = f"{column.description} Unit: {column.unit}."
    if column.type == "boolean":
        out["trueValues"], out["falseValues"] = ["true"], ["false"]
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if constraints:
        out["constraints"] = constraints
    return out


def _datapackage(
    version: str, now: datetime, url: str | None, tables: list[_Table]
) -> dict[str, Any]:
    resources = []
    for t in tables:
        doc = describe.TABLES[t.name]
        fields = [_field(n, c) for n, c in doc.columns.items()]
        for f in fields:
            if f["name"] in doc.unique:
                f.setdefault("constraints", {})["unique"] = True
        schema: dict[str, Any] = {"fields": fields, "primaryKey": list(doc.primary_key)}
        if doc.foreign_keys:
            schema["foreignKeys"] = [
                {
                    "fields": list(cols),
                    "reference": {"resource": table, "fields": list(ref)},
                }
                for cols, (table, ref) in doc.foreign_keys.items()
            ]
        resources.append(
            {
                "name": t.name,
                "title": doc.title,
                "description": doc.description,
                "path": f"csv/{t.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": t.csv.stat().st_size,
                "hash": f"sha256:{_sha256(t.csv)}",
                "schema": schema,
                # The same table typed, for tools that read Parquet (not part of the
                # Frictionless validation, which reads the CSV).
                "parquet": f"parquet/{t.name}.parquet",
                "rows": t.rows,
            }
        )
    package: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "fmtr",
        "title": describe.TITLE,
        "description": describe.DESCRIPTION,
        "version": version,
        "created": now.replace(microsecond=0).isoformat() + "Z",
        "licenses": [describe.LICENCE],
        "sources": [{"title": describe.SOURCE_TITLE}, {"title": describe.FUNDING_SOURCE_TITLE}],
        "contributors": [{"title": "fmtr", "roles": ["author"]}],
        "keywords": ["military training", "security assistance", "IMET", "foreign forces"],
        "resources": resources,
    }
    if url:
        package["homepage"] = url
    return package


def _yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string


def _citation_cff(version: str, now: datetime, url: str | None) -> str:
    lines = [
        "cff-version: 1.2.0",
        "message: >-",
        "  If you use this data, please cite this release and the reports it is read from.",
        "  Cite a single training row by its stable identifier (`fmtr cite ID`).",
        "type: dataset",
        f"title: {_yaml(describe.TITLE)}",
        f"version: {_yaml(version)}",
        f"date-released: {now.date().isoformat()}",
        "license: CC0-1.0",
        f"abstract: {_yaml(describe.DESCRIPTION)}",
        "authors:",
        "  - name: fmtr contributors",
        "keywords:",
        "  - military training",
        "  - security assistance",
        "  - IMET",
    ]
    if url:
        lines.append(f"url: {_yaml(url)}")
    lines += [
        "references:",
        "  - type: report",
        f"    title: {_yaml(describe.SOURCE_TITLE)}",
        "    authors:",
        "      - name: U.S. Department of State",
        "      - name: U.S. Department of Defense",
        "    notes: >-",
        "      Annual editions FY1999-2000 to FY2020-2021; works of the United States",
        "      government, in the public domain in the United States (17 U.S.C. 105).",
        "  - type: data",
        f"    title: {_yaml(describe.FUNDING_SOURCE_TITLE)}",
        "    authors:",
        "      - name: U.S. Agency for International Development",
        "    notes: >-",
        "      The Greenbook workbook, obligations FY1946-2020; a work of the United States",
        "      government, in the public domain in the United States (17 U.S.C. 105).",
    ]
    return "\n".join(lines) + "\n"


def _changes(version: str, previous: str | None, report: DiffReport | None) -> str:
    head = f"# Changes in fmtr release {version}\n\n"
    if report is None:
        return head + "The first release: no previous release was given to compare with.\n"
    body = summary_lines(report, limit=0, markdown=True)
    since = previous or report.old.path
    return (
        head + f"Since {since}, by stable identifier (`fmtr diff`). A *moved* row is the same "
        "printed row under a new identifier (the extraction found or lost a row above it on "
        "its page); follow it from the old identifier to the new one.\n\n" + "\n".join(body) + "\n"
    )


def _readme(version: str, now: datetime, url: str | None, tables: list[_Table]) -> str:
    rows = "\n".join(
        f"| `{t.name}` | {t.rows:,} | {describe.TABLES[t.name].title} |" for t in tables
    )
    where = f"\nPublished at {url}.\n" if url else ""
    return f"""# fmtr release {version}

{describe.TITLE}. Made {now.date().isoformat()} by fmtr {__version__}.
{where}
{describe.DESCRIPTION}

## Files

- `fmtr.sqlite`: the database (SQLite), with the search index and the view
  `training_provenance` (a training row with its provenance and cleaned codes).
- `csv/TABLE.csv` and `parquet/TABLE.parquet`: every table, one file each.
- `datapackage.json`: a Frictionless Data package describing every field (type, unit,
  meaning), primary and foreign keys; `frictionless validate datapackage.json` checks the CSV
  files against it.
- `metadata.json`: Datasette metadata: `datasette fmtr.sqlite -m metadata.json`.
- `CITATION.cff`, `CHANGES.md` (what changed since the previous release), `SHA256SUMS`
  (`sha256sum -c SHA256SUMS`).

| table | rows | |
|---|--:|---|
{rows}

Integer `id` columns are join keys within this release. To cite a row, use its `stable_id`
(2016-africa-p50-3: edition, file, PDF page, ordinal on the page), the same in every release.

## Licence

{describe.LICENCE_WORDS}

## How to cite

fmtr release {version}{", " + url if url else ""}; and, for a row, the report it is printed in:
`fmtr cite 2016-africa-p50-3 --db fmtr.sqlite` prints the citation (text, `--format bibtex`,
`--format csl`).
"""


def _checksums(folder: Path, tables: list[_Table]) -> list[ReleasedFile]:
    rows = {str(t.csv.relative_to(folder)): t.rows for t in tables}
    rows |= {str(t.parquet.relative_to(folder)): t.rows for t in tables}
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = str(path.relative_to(folder))
        files.append(ReleasedFile(rel, path.stat().st_size, _sha256(path), rows.get(rel)))
    (folder / "SHA256SUMS").write_text("".join(f"{f.sha256}  {f.path}\n" for f in files), "utf-8")
    return files
