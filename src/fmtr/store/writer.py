"""Where a build writes, in units that each commit or roll back whole.

- ``EngineWriter``: each unit (one document, one edition's verdicts, the figures) is a
  transaction of its own. For a SQLite file built aside (fmtr.store.swap: nobody reads it
  until it is swapped in whole) and for ``fmtr.pipeline.build`` on an engine.
- ``OneTransaction``: a database built in place and read meanwhile (PostgreSQL): the whole
  build is one transaction and each unit a savepoint in it. A unit that fails is rolled back
  alone, as a document's transaction would be; readers see the database as it was until the
  build commits, then the new one whole, as SQLite's readers see the swap; a build killed or
  stopped by an error changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Engine


class Writer(Protocol):
    def begin(self) -> AbstractContextManager[Connection]:
        """A unit of the build: committed (or rolled back) whole when the block ends."""
        ...

    def connect(self) -> AbstractContextManager[Connection]:
        """A connection that reads what the build has written so far."""
        ...


@dataclass
class EngineWriter:
    engine: Engine

    def begin(self) -> AbstractContextManager[Connection]:
        return self.engine.begin()

    def connect(self) -> AbstractContextManager[Connection]:
        return self.engine.connect()


@dataclass
class OneTransaction:
    conn: Connection  # in a transaction the caller commits

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.conn.begin_nested():
            yield self.conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self.conn
