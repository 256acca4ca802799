"""Reading loaded documents back as extraction objects (for verification and comparison)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, select

from fmtr.extract.model import PrintedTotal, ProgrammeBlock, TrainingRow
from fmtr.store import schema as s


@dataclass
class StoredDocument:
    edition: str
    file: str
    blocks: list[ProgrammeBlock]
    sha256: str = ""  # of the file it was extracted from (the text proof re-reads that file)


def iter_documents(
    conn: Connection,
    editions: Collection[str] | None = None,
    files: Collection[str] | None = None,
) -> Iterator[StoredDocument]:
    """Every loaded document (of these editions, or these files) with its blocks, rows and
    totals, in order."""
    q = (
        select(s.Document.id, s.Edition.name, s.Document.file, s.Document.sha256)
        .join(s.Edition, s.Edition.id == s.Document.edition_id)
        .order_by(s.Edition.name, s.Document.file)
    )
    if editions is not None:
        q = q.where(s.Edition.name.in_(list(editions)))
    if files is not None:
        q = q.where(s.Document.file.in_(list(files)))
    docs = conn.execute(q).all()
    if not docs:
        return
    doc_ids = [d[0] for d in docs]
    b = s.ProgrammeBlock
    blocks: dict[int, list[tuple[int, ProgrammeBlock]]] = {}
    by_id: dict[int, ProgrammeBlock] = {}
    block_q = select(b).where(b.document_id.in_(doc_ids)).order_by(b.document_id, b.seq)
    for row in conn.execute(block_q).mappings():
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
    block_ids = select(b.id).where(b.document_id.in_(doc_ids))
    rows_q = select(t).where(t.block_id.in_(block_ids)).order_by(t.block_id, t.seq)
    for row in conn.execute(rows_q).mappings():
        if row["block_id"] not in by_id:
            continue
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
    totals_q = select(p).where(p.block_id.in_(block_ids)).order_by(p.block_id, p.seq)
    for row in conn.execute(totals_q).mappings():
        if row["block_id"] not in by_id:
            continue
        by_id[row["block_id"]].totals.append(
            PrintedTotal(row["kind"], row["label"], row["page"], row["quantity"], row["cost"])
        )
    for doc_id, edition, file, sha256 in docs:
        ordered = [blk for _, blk in sorted(blocks.get(doc_id, []), key=lambda x: x[0])]
        yield StoredDocument(edition, file, ordered, sha256 or "")
