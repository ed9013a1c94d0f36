"""Where stage 1 keeps the cleaned rows until they are written: in memory while they fit, else a
throw-away SQLite file.

An import of up to `MEMORY_ROWS` staged rows (~150,000 Taobao orders with their lines) stays in
dicts: the join of Taobao's two files on 订单编号 is a dict lookup and the values are never encoded
and decoded again. A larger one spills everything into the SQLite file at the row that crosses
the limit and goes on there: order-level values in `o` (one row per order number), lines in `l`
keyed by (order number, row), each row's values as one marshal blob; the join then walks both
keys in order — bounded memory for a million orders.

Both give the same answers in the same order (errors included): the orders in order-number
order, each with its lines in file order and a digest of the marshal bytes of its values and its
lines (version 2: no object references, so equal values give equal bytes), which the re-import
compares to decide `unchanged`.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from storeops.orders.importing import cells

MEMORY_ROWS = 300_000
MARSHAL_VERSION = 2
BATCH = 5000

# Order-level values as staged (and as the writer receives them), in this order.
O_COLS = (
    "buyer_id",
    "buyer_nick",
    "receiver_name",
    "receiver_phone",
    "receiver_phone_last4",
    "receiver_province",
    "receiver_city",
    "receiver_district",
    "receiver_street",
    "receiver_address",
    "buyer_message",
    "seller_remark",
    "flag",
    "goods_amount",
    "shipping_amount",
    "discount_amount",
    "paid_amount",
    "refund_amount",
    "created_at",
    "paid_at",
    "shipped_at",
    "finished_at",
    "status",
    "platform_status",
    "close_reason",
    "courier",
    "tracking_no",
    "aftersales",
)
L_COLS = (
    "platform_line_id",
    "merchant_code",
    "platform_item_id",
    "platform_sku_id",
    "title",
    "attributes",
    "quantity",
    "unit_price",
    "discount",
    "status",
)
OI = {name: i for i, name in enumerate(O_COLS)}
LI = {name: i for i, name in enumerate(L_COLS)}
GOODS, PRICE, QUANTITY = OI["goods_amount"], LI["unit_price"], LI["quantity"]

# (order_no, line, file, values) and (order_no, seq, line, file, values), values unencoded
OrderRow = tuple[str, int, int, tuple[Any, ...]]
LineRow = tuple[str, int, int, int, tuple[Any, ...]]


class StagedOrder:
    """One staged order: number, first line, digest, values (O_COLS) and lines (L_COLS). From the
    SQLite file the values are decoded only when asked for: a re-import of unchanged orders
    compares digests alone."""

    __slots__ = ("_lines", "_values", "digest", "l_blobs", "line", "o_blob", "order_no")

    def __init__(self, order_no: str, line: int, o_blob: bytes, l_blobs: list[bytes]) -> None:
        self.order_no = order_no
        self.line = line
        self.o_blob = o_blob
        self.l_blobs = l_blobs
        self.digest = hashlib.md5(o_blob + b"".join(l_blobs), usedforsecurity=False).hexdigest()
        self._lines: list[tuple[Any, ...]] | None = None
        self._values: tuple[Any, ...] | None = None

    @property
    def lines(self) -> list[tuple[Any, ...]]:
        if self._lines is None:
            self._lines = [marshal.loads(b) for b in self.l_blobs]  # noqa: S302 — our own blobs
        return self._lines

    @property
    def values(self) -> tuple[Any, ...]:
        if self._values is None:
            values = marshal.loads(self.o_blob)  # noqa: S302 — our own blobs
            self._values = _complete(values, self.lines) if values[GOODS] is None else values
        return self._values


def _complete(values: tuple[Any, ...], lines: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Goods not in the export: the sum of the lines."""
    total = sum((Decimal(li[PRICE]) * li[QUANTITY] for li in lines), Decimal(0))
    return (*values[:GOODS], str(total.quantize(cells.CENT)), *values[GOODS + 1 :])


class Staging:
    """The staged rows of one import; a context manager that removes its file when closed.

    Stage 1 hands rows over one at a time (`put_order`, `put_line`); in memory that is a dict
    operation, in the file a batch of 5,000 rows per `executemany`. Either way a row is kept as
    its marshal bytes (~100 MB for 100,000 Taobao orders in memory)."""

    def __init__(self, directory: str | None = None, *, memory_rows: int | None = None) -> None:
        self.directory = directory
        self.memory_rows = MEMORY_ROWS if memory_rows is None else memory_rows
        self.file: _FileStaging | None = None
        self.o: dict[str, tuple[int, int, bytes]] = {}  # order number → (line, file, values)
        self.dups: dict[str, tuple[int, int]] = {}  # order number → its first duplicate's place
        # order number → [line, file, values, line, file, values, …] in row order
        self.l: dict[str, list[Any]] = {}
        self.bad: set[str] = set()
        self.rows = 0
        # every line's (item id, SKU id, merchant code): what the writer resolves to SKUs
        self.keys: set[tuple[Any, Any, Any]] = set()

    @property
    def in_memory(self) -> bool:
        return self.file is None

    def close(self) -> None:
        self.o, self.dups, self.l, self.bad = {}, {}, {}, set()
        if self.file is not None:
            self.file.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing
    def put_order(
        self, order_no: str, line: int, file_index: int, values: tuple[Any, ...], duplicates: bool
    ) -> None:
        """An order-level row. `duplicates`: a second row of the same order number is an error
        (Taobao's order report), recorded with the first duplicate's place; otherwise (single-file
        exports, one row per line) the first row's values stand."""
        if self.file is not None:
            self.file.put_order(order_no, line, file_index, values, duplicates)
            return
        if order_no not in self.o:
            self.o[order_no] = (line, file_index, marshal.dumps(values, MARSHAL_VERSION))
        elif duplicates and order_no not in self.dups:
            self.dups[order_no] = (line, file_index)
        self.rows += 1
        if self.rows > self.memory_rows:
            self._spill()

    def put_line(
        self, order_no: str, seq: int, line: int, file_index: int, values: tuple[Any, ...]
    ) -> None:
        """A line row; `seq` counts the rows of every file in order (the file keeps it; in
        memory the file and the line say the same)."""
        self.keys.add((values[2], values[3], values[1]))
        if self.file is not None:
            self.file.put_line(order_no, seq, line, file_index, values)
            return
        blob = marshal.dumps(values, MARSHAL_VERSION)
        found = self.l.get(order_no)
        if found is None:
            self.l[order_no] = [line, file_index, blob]
        else:
            found += (line, file_index, blob)
        self.rows += 1
        if self.rows > self.memory_rows:
            self._spill()

    def merge(
        self,
        o: dict[str, tuple[int, int, bytes]],
        dups: dict[str, tuple[int, int]],
        lines: dict[str, list[Any]],
        rows: int,
        *,
        duplicate_files: set[int],
        keys: Sequence[tuple[Any, Any, Any]] = (),
    ) -> bool:
        """Another in-memory staging of the files after this one's (the forked child's, see
        `parallel`), as if its rows had been put here one by one after these: the first row of an
        order number stands, a later one is a duplicate when its file says so (`duplicate_files`),
        lines follow in file order. False, and nothing merged, once this staging is in the file."""
        if self.file is not None:
            return False
        mine, mine_dups, mine_lines = self.o, self.dups, self.l
        for order_no, found in o.items():
            if order_no not in mine:
                mine[order_no] = found
                if order_no in dups:
                    mine_dups[order_no] = dups[order_no]
            elif order_no not in mine_dups:
                if found[1] in duplicate_files:
                    mine_dups[order_no] = (found[0], found[1])
                elif order_no in dups:
                    mine_dups[order_no] = dups[order_no]
        for order_no, rows_of in lines.items():
            found_lines = mine_lines.get(order_no)
            if found_lines is None:
                mine_lines[order_no] = rows_of
            else:
                found_lines += rows_of
        self.rows += rows
        self.keys.update(keys)
        if self.rows > self.memory_rows:
            self._spill()
        return True

    def add_bad(self, numbers: Sequence[str]) -> None:
        if self.file is not None:
            self.file.add_bad(numbers)
        else:
            self.bad.update(numbers)

    def _spill(self) -> None:
        """Too many rows for memory: everything so far into the SQLite file, which takes over."""
        self.file = _FileStaging(self.directory)
        self.file.load(self.o, self.dups, self.l, self.bad)
        self.o, self.dups, self.l, self.bad = {}, {}, {}, set()

    # -- checking
    def orphan_lines(self) -> list[tuple[str, int, int]]:
        """(order number, line, file) of lines whose order is neither staged nor bad, in row
        order."""
        if self.file is not None:
            return self.file.orphan_lines()
        lines = self.l
        found = []
        for order_no in lines.keys() - self.o.keys() - self.bad:
            rows = lines[order_no]
            for i in range(0, len(rows), 3):
                found.append((rows[i + 1], rows[i], order_no))
        found.sort()
        return [(order_no, line, file_index) for file_index, line, order_no in found]

    def lonely_orders(self) -> list[tuple[str, int, int]]:
        """(order number, line, file) of orders without a line that are not bad, by number."""
        if self.file is not None:
            return self.file.lonely_orders()
        o = self.o
        return [
            (order_no, o[order_no][0], o[order_no][1])
            for order_no in sorted(o.keys() - self.l.keys() - self.bad)
        ]

    def duplicates(self) -> list[tuple[str, int, int, int, int]]:
        """(order number, line, file, duplicate's line, duplicate's file), by number."""
        if self.file is not None:
            return self.file.duplicates()
        o = self.o
        return [
            (order_no, o[order_no][0], o[order_no][1], *place)
            for order_no, place in sorted(self.dups.items())
        ]

    def drop_bad(self) -> None:
        if self.file is not None:
            self.file.drop_bad()
            return
        for order_no in self.bad:
            self.o.pop(order_no, None)
            self.l.pop(order_no, None)

    def order_count(self) -> int:
        return self.file.order_count() if self.file is not None else len(self.o)

    def bad_count(self) -> int:
        return self.file.bad_count() if self.file is not None else len(self.bad)

    # -- reading
    def grouped(self, *, chunk: int = 2000) -> Iterator[list[StagedOrder]]:
        """The valid orders that have lines, `chunk` at a time, in order-number order."""
        if self.file is not None:
            yield from self.file.grouped(chunk=chunk)
            return
        numbers = self.numbers()
        for start in range(0, len(numbers), chunk):
            yield self.staged(numbers[start : start + chunk])

    def numbers(self) -> list[str]:
        """In memory: the valid order numbers that have lines, in order-number order."""
        return sorted(self.o.keys() & self.l.keys())

    def staged(self, numbers: Sequence[str]) -> list[StagedOrder]:
        """In memory: those orders with their lines."""
        o, lines = self.o, self.l
        return [
            StagedOrder(order_no, o[order_no][0], o[order_no][2], lines[order_no][2::3])
            for order_no in numbers
        ]


class _FileStaging:
    """The staged rows in a throw-away SQLite file (see the module's docstring)."""

    def __init__(self, directory: str | None = None) -> None:
        handle, self.path = tempfile.mkstemp(prefix="orders-import-", suffix=".db", dir=directory)
        os.close(handle)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "temp_store=FILE",
            "cache_size=-65536",
            "locking_mode=EXCLUSIVE",
        ):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(
            """
            CREATE TABLE o (order_no TEXT PRIMARY KEY, line INTEGER, file INTEGER,
                            dup_line INTEGER, dup_file INTEGER, data BLOB) WITHOUT ROWID;
            CREATE TABLE l (order_no TEXT, seq INTEGER, line INTEGER, file INTEGER, data BLOB,
                            PRIMARY KEY (order_no, seq)) WITHOUT ROWID;
            CREATE TABLE bad (order_no TEXT PRIMARY KEY) WITHOUT ROWID;
            """
        )
        self.db.execute("BEGIN")
        self.o_batch: list[tuple[Any, ...]] = []
        self.l_batch: list[tuple[Any, ...]] = []
        self.o_duplicates = False

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)

    def load(
        self,
        o: dict[str, tuple[int, int, bytes]],
        dups: dict[str, tuple[int, int]],
        lines: dict[str, list[Any]],
        bad: set[str],
    ) -> None:
        self.db.executemany(
            "INSERT INTO o VALUES (?, ?, ?, ?, ?, ?)",
            ((n, f[0], f[1], *dups.get(n, (None, None)), f[2]) for n, f in o.items()),
        )
        # seq: the row order, which (file, line) also gives
        rows = sorted(
            (r[i + 1], r[i], n, r[i + 2]) for n, r in lines.items() for i in range(0, len(r), 3)
        )
        self.db.executemany(
            "INSERT INTO l VALUES (?, ?, ?, ?, ?)",
            ((n, seq, line, f, blob) for seq, (f, line, n, blob) in enumerate(rows)),
        )
        self.add_bad(list(bad))

    def put_order(
        self, order_no: str, line: int, file_index: int, values: tuple[Any, ...], duplicates: bool
    ) -> None:
        if duplicates != self.o_duplicates:
            self.flush()
            self.o_duplicates = duplicates
        self.o_batch.append((order_no, line, file_index, marshal.dumps(values, MARSHAL_VERSION)))
        if len(self.o_batch) >= BATCH:
            self.flush()

    def put_line(
        self, order_no: str, seq: int, line: int, file_index: int, values: tuple[Any, ...]
    ) -> None:
        self.l_batch.append(
            (order_no, seq, line, file_index, marshal.dumps(values, MARSHAL_VERSION))
        )
        if len(self.l_batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.o_batch:
            if self.o_duplicates:
                sql = (
                    "INSERT INTO o (order_no, line, file, data) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(order_no) DO UPDATE SET dup_line = coalesce(o.dup_line, "
                    "excluded.line), dup_file = coalesce(o.dup_file, excluded.file)"
                )
            else:
                sql = (
                    "INSERT INTO o (order_no, line, file, data) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(order_no) DO NOTHING"
                )
            self.db.executemany(sql, self.o_batch)
            self.o_batch = []
        if self.l_batch:
            self.db.executemany(
                "INSERT INTO l (order_no, seq, line, file, data) VALUES (?, ?, ?, ?, ?)",
                self.l_batch,
            )
            self.l_batch = []

    def add_bad(self, numbers: Sequence[str]) -> None:
        self.flush()
        if numbers:
            self.db.executemany("INSERT OR IGNORE INTO bad VALUES (?)", [(n,) for n in numbers])

    def orphan_lines(self) -> list[tuple[str, int, int]]:
        self.flush()
        return self.db.execute(
            "SELECT l.order_no, l.line, l.file FROM l WHERE NOT EXISTS "
            "(SELECT 1 FROM o WHERE o.order_no = l.order_no) AND NOT EXISTS "
            "(SELECT 1 FROM bad WHERE bad.order_no = l.order_no) ORDER BY l.seq"
        ).fetchall()

    def lonely_orders(self) -> list[tuple[str, int, int]]:
        self.flush()
        return self.db.execute(
            "SELECT o.order_no, o.line, o.file FROM o WHERE NOT EXISTS "
            "(SELECT 1 FROM l WHERE l.order_no = o.order_no) AND NOT EXISTS "
            "(SELECT 1 FROM bad WHERE bad.order_no = o.order_no) ORDER BY o.order_no"
        ).fetchall()

    def duplicates(self) -> list[tuple[str, int, int, int, int]]:
        self.flush()
        return self.db.execute(
            "SELECT order_no, line, file, dup_line, dup_file FROM o WHERE dup_line IS NOT NULL "
            "ORDER BY order_no"
        ).fetchall()

    def drop_bad(self) -> None:
        self.flush()
        self.db.execute("DELETE FROM o WHERE order_no IN (SELECT order_no FROM bad)")
        self.db.execute("DELETE FROM l WHERE order_no IN (SELECT order_no FROM bad)")

    def order_count(self) -> int:
        self.flush()
        return int(self.db.execute("SELECT count(*) FROM o").fetchone()[0])

    def bad_count(self) -> int:
        self.flush()
        return int(self.db.execute("SELECT count(*) FROM bad").fetchone()[0])

    def grouped(self, *, chunk: int) -> Iterator[list[StagedOrder]]:
        self.flush()
        cursor = self.db.execute(
            "SELECT o.order_no, o.line, o.data, l.data FROM o JOIN l ON l.order_no = o.order_no "
            "ORDER BY o.order_no, l.seq"
        )
        batch: list[StagedOrder] = []
        order_no = None
        line_no = 0
        o_blob = b""
        l_blobs: list[bytes] = []
        for rows in iter(lambda: cursor.fetchmany(5000), []):
            for row_no, row_line, row_o, row_l in rows:
                if row_no != order_no:
                    if order_no is not None:
                        batch.append(StagedOrder(order_no, line_no, o_blob, l_blobs))
                        if len(batch) >= chunk:
                            yield batch
                            batch = []
                    order_no, line_no, o_blob, l_blobs = row_no, row_line, row_o, [row_l]
                else:
                    l_blobs.append(row_l)
        if order_no is not None:
            batch.append(StagedOrder(order_no, line_no, o_blob, l_blobs))
        if batch:
            yield batch
