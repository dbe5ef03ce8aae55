"""The generator's bulk phase (benchmarks/generate.py): rows built in a second process
while this one writes them, secondary indexes built once at the end.

Profiling a 50,000-proposal load (``python -m cProfile benchmarks/generate.py 50000``)
showed two thirds of the time in Python — copying template rows, each event's canonical
JSON and SHA-256, each value through its column's bind processor — and a third in the
database.  On a two-core machine the two halves can overlap: a forked *builder* process
makes each batch's rows (plain tuples, every value already through its column's own bind
processor, so stored exactly as the ORM stores it) and hands them over a queue; this
process writes them — ``executemany`` of tuples on SQLite, ``COPY`` on PostgreSQL — and
commits.  The rows are the same the single-process loader wrote (same seed, same order).

During the load only:

- the bulk tables' secondary indexes are dropped and made again afterwards from their own
  stored definitions (``sqlite_master`` / ``pg_indexes``), one sort each instead of a
  million random B-tree inserts; unique constraints stay, so a duplicate still fails;
- SQLite runs with ``journal_mode=OFF`` and ``synchronous=OFF`` and a 1 GB page cache
  (a failed load leaves a file to delete, which a generator may), then goes back to WAL;
  PostgreSQL commits with ``synchronous_commit=off``.
"""

from __future__ import annotations

import multiprocessing
import operator
import sys
import time
import traceback
from collections.abc import Callable, Iterable

from sqlalchemy import insert

from intake.search.index import TABLES as SEARCH_TABLES
from intake.search.index import stored_terms


class Writer:
    """One table's rows as tuples in a fixed column order, each value put through its
    column's bind processor (so stored exactly as the ORM stores it)."""

    def __init__(self, dialect, table) -> None:
        self.table = table.name
        self.names = [column.name for column in table.columns]
        compiled = insert(table).compile(dialect=dialect, column_keys=self.names)
        self.sql = str(compiled)
        order = compiled.positiontup if compiled.positional else self.names
        columns = {column.name: column for column in table.columns}
        self.order = list(order)
        self.processors = [columns[name].type._cached_bind_processor(dialect)
                           for name in self.order]

    def values(self, rows: list[dict]) -> list[tuple]:
        raw = operator.itemgetter(*self.order)
        bound = [(i, p) for i, p in enumerate(self.processors) if p]
        found = []
        for row in rows:
            values = list(raw(row))
            for i, p in bound:
                values[i] = p(values[i])
            found.append(tuple(values))
        return found


def encode(dialect_name: str, writers: dict[str, Writer], out: dict[str, list]) -> dict:
    """A batch built by the generator as the tuples :func:`load` writes."""
    batch = {name: writer.values(out[name]) for name, writer in writers.items() if out[name]}
    for table in SEARCH_TABLES:
        if dialect_name == "sqlite":
            batch[table] = [(e.proposal_id, stored_terms("sqlite", e.new)) for e in out[table]]
        else:
            batch[table] = [(e.proposal_id, e.new, stored_terms("postgresql", e.new))
                            for e in out[table]]
    return batch


def _build(queue, build: Callable[[int], dict], numbers: range) -> None:
    try:
        for number in numbers:
            queue.put(build(number))
    except BaseException:  # noqa: BLE001 - handed to the writer, which raises it
        queue.put(traceback.format_exc())


def _secondary_indexes(connection, tables: Iterable[str]) -> list[tuple[str, str]]:
    names = tuple(tables)
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" * len(names))
        return list(connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})", names))
    return list(connection.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%(t)s) AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint)", {"t": list(names)}))


def _write(connection, writers: dict[str, Writer], batch: dict) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for name, rows in batch.items():
        if not rows:
            continue
        writer = writers.get(name)
        if postgresql:
            columns = writer.order if writer else ["proposal_id", "folded", "terms"]
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif writer:
            connection.exec_driver_sql(writer.sql, rows)
        else:
            connection.exec_driver_sql(f"INSERT INTO {name}(rowid, terms) VALUES (?, ?)", rows)


def load(engine, writers: dict[str, Writer], build: Callable[[int], dict], batches: int,
         builders: int = 1, report: Callable[[int], None] | None = None) -> None:
    """Write the batches ``build(0)`` … ``build(batches - 1)`` make, built by ``builders``
    forked processes (batch k by builder k mod ``builders``), in the order they come."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=2 * builders)
    processes = [context.Process(target=_build, daemon=True,
                                 args=(queue, build, range(k, batches, builders)))
                 for k in range(builders)]
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.commit()
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000",
                           "temp_store=MEMORY"):
                connection.exec_driver_sql(f"PRAGMA {pragma}")
        else:
            connection.exec_driver_sql("SET synchronous_commit = off")
            connection.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        indexes = _secondary_indexes(connection, [*writers, *SEARCH_TABLES])
        for name, _sql in indexes:
            connection.exec_driver_sql(f"DROP INDEX {name}")
        connection.commit()
        for process in processes:
            process.start()
        waited = written = 0.0
        try:
            for done in range(1, batches + 1):
                t = time.perf_counter()
                batch = queue.get()
                waited += time.perf_counter() - t
                if not isinstance(batch, dict):
                    raise RuntimeError(f"the builder process failed:\n{batch}")
                t = time.perf_counter()
                _write(connection, writers, batch)
                connection.commit()
                written += time.perf_counter() - t
                if report:
                    report(done)
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join()
        t = time.perf_counter()
        for _name, sql in indexes:
            connection.exec_driver_sql(sql)
        connection.commit()
        print(f"\n  bulk phase: writing {written:.0f} s, waiting for the builder {waited:.0f} s, "
              f"{len(indexes)} indexes made again in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
        if sqlite:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.commit()
