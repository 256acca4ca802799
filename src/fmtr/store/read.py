"""Reading loaded documents back as extraction objects (for verification and comparison)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, select

from fmtr.extract.model import PrintedTotal, ProgrammeBlock, TrainingRow
from fmtr.store import schema as s


@dataclass
class StoredDocument:
    edition: str
    file: str
    blocks: list[ProgrammeBlock]


def iter_documents(conn: Connection) -> Iterator[StoredDocument]:
    """Every loaded document with its blocks, rows and totals, in document order."""
    docs = conn.execute(
        select(s.Document.id, s.Edition.name, s.Document.file)
        .join(s.Edition, s.Edition.id == s.Document.edition_id)
        .order_by(s.Edition.name, s.Document.file)
    ).all()
    b = s.ProgrammeBlock
    blocks: dict[int, list[tuple[int, ProgrammeBlock]]] = {}
    by_id: dict[int, ProgrammeBlock] = {}
    for row in conn.execute(select(b).order_by(b.document_id, b.seq)).mappings():
        block = ProgrammeBlock(
            heading=row["heading"],
            region=row["region"],
            country=row["country"],
            programme=row["programme"],
            fiscal_year=row["fiscal_year"],
            department=row["department"],
            first_page=row["first_page"],
            last_page=row["last_page"],
        )
        by_id[row["id"]] = block
        blocks.setdefault(row["document_id"], []).append((row["seq"], block))
    t = s.Training
    for row in conn.execute(select(t).order_by(t.block_id, t.seq)).mappings():
        by_id[row["block_id"]].rows.append(
            TrainingRow(
                page=row["page"],
                course_title=row["course_title"],
                us_unit=row["us_unit"],
                student_unit=row["student_unit"],
                location=row["location"],
                quantity=row["quantity"],
                cost=row["cost"],
                start_date=row["start_date"],
                end_date=row["end_date"],
                last_page=row["last_page"],
            )
        )
    p = s.PrintedTotal
    for row in conn.execute(select(p).order_by(p.block_id, p.seq)).mappings():
        by_id[row["block_id"]].totals.append(
            PrintedTotal(row["kind"], row["label"], row["page"], row["quantity"], row["cost"])
        )
    for doc_id, edition, file in docs:
        ordered = [blk for _, blk in sorted(blocks.get(doc_id, []), key=lambda x: x[0])]
        yield StoredDocument(edition, file, ordered)
