"""The order import's writer: one chunk of staged orders into the tables with a handful of
statements — new orders (their rows built by `Writer.build_new`, also in the row builder's child),
changed ones compared and updated, lines paired by what they are — raw SQL on purpose, for speed
(see `imports` for the run around it and docs/architecture.md)."""

# ruff: noqa: S608 — SQL is built only from our own table and column names; values are bound.

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from storeops.catalog.selectors import sku_expand, sku_resolve_many, sku_resolver
from storeops.core import clock
from storeops.orders.enums import (
    ExceptionReason,
    ImportOutcome,
    LineStatus,
    OrderEventKind,
    OrderSource,
    OrderStatus,
    order_status_from_platform,
)
from storeops.orders.importing.pipeline import (
    L_COLS,
    LI,
    O_COLS,
    OI,
    StagedOrder,
)
from storeops.orders.models import (
    Order,
    OrderEvent,
    OrderImport,
    OrderImportOrder,
    OrderLine,
)

ROWS_PER_INSERT = 100  # × 41 order columns: far below both databases' bound-parameter limits
IN_CHUNK = 900  # bound parameters per IN (...) list, well under SQLite's limit
CN = dt.timezone(dt.timedelta(hours=8))  # platform times are Beijing time (no DST)

# Personal data: never written back over an erased order, never in events or audit payloads.
PERSONAL = frozenset(
    {
        "buyer_id",
        "buyer_nick",
        "receiver_name",
        "receiver_phone",
        "receiver_phone_last4",
        "receiver_district",
        "receiver_street",
        "receiver_address",
        "buyer_message",
    }
)
# Shown on the timeline when a newer export changes them.
TRACKED = (
    "status",
    "platform_status",
    "seller_remark",
    "flag",
    "goods_amount",
    "shipping_amount",
    "discount_amount",
    "paid_amount",
    "refund_amount",
    "aftersales",
    "courier",
    "tracking_no",
    "close_reason",
)
TIMES = ("created_at", "paid_at", "shipped_at", "finished_at")


# --- the set-based writer -------------------------------------------------------------------------
def sql_table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def sql_name(name: str) -> str:
    return connection.ops.quote_name(name)


# (orders, lines, exceptions, and each table's `_batches`) — see `_Writer.build_new`
Built = tuple[int, int, int, Any, Any, Any]


class Writer:
    """Writes one chunk of staged orders with a handful of statements."""

    def __init__(self, *, store: Any, actor: Any, order_import: OrderImport, result: Any) -> None:
        self.store = store
        self.actor = actor
        self.order_import = order_import
        self.result = result
        self.resolve = sku_resolver(store=store)
        self.memo: dict[tuple[str, str, str], tuple[int | None, list[tuple[int, str, int]]]] = {}
        self.closed: list[int] = []  # orders this import moved to 已关闭
        self.expansions: dict[tuple[int, int], Any] = {}  # (combo SKU, quantity) → its JSON
        self.sqlite = connection.vendor == "sqlite"
        self.max_params = None
        if self.sqlite:
            connection.ensure_connection()
            self.max_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.empty_json = self._json([])
        self.empty_dict_json = self._json({})
        order_cols = [
            *(["id"] if self.sqlite else []),  # SQLite: new orders' ids are given (`take_ids`)
            "store_id",
            "platform_order_no",
            "source",
            *O_COLS,
            "exception_reason",
            "exception_detail",
            "import_digest",
            "recorded_at",
            "updated_at",
        ]
        line_cols = [
            "order_id",
            "line_no",
            "sku_id",
            *L_COLS,
            "expansion",
            "order_created_at",
        ]
        self.time_indexes = [OI[name] for name in TIMES]
        # Platform times are Beijing time; on SQLite Django keeps naive UTC text, which
        # SQLite's datetime() computes in the INSERT itself (NULL stays NULL).
        utc = "datetime(%s, '-8 hours')" if self.sqlite else "%s"
        self.utc = utc
        self.insert_order = self._insert(Order, order_cols, dict.fromkeys(TIMES, utc))

        self.insert_line = self._insert(OrderLine, line_cols, {"order_created_at": utc})
        self.insert_link = self._insert(
            OrderImportOrder, ["order_import_id", "order_id", "outcome"]
        )
        self.insert_event = self._insert(
            OrderEvent,
            ["order_id", "at", "actor_id", "kind", "message", "before", "after", "order_import_id"],
        )
        self.update_cols = [c for c in O_COLS if c != "status"]
        self.update_cols_erased = [c for c in self.update_cols if c not in PERSONAL]
        self.next_id: int | None = None

    def _insert(
        self, model: Any, cols: Sequence[str], marks_of: dict[str, str] | None = None
    ) -> tuple[str, str]:
        """The statement's head and one row's placeholders (see `_insert_rows`)."""
        names = ", ".join(sql_name(c) for c in cols)
        marks = ", ".join((marks_of or {}).get(c, "%s") for c in cols)
        return f"INSERT INTO {sql_table(model)} ({names}) VALUES ", f"({marks})"

    def _insert_rows(
        self, cursor: Any, insert: tuple[str, str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """`ROWS_PER_INSERT` rows per INSERT: on SQLite each statement run pays for opening every
        index and for the AUTOINCREMENT bookkeeping once, not once per row (lines ~2× faster
        while the list's indexes are dropped for a bulk import)."""
        self._run_batches(cursor, insert, self._batches(insert, rows))

    def _batches(
        self, insert: tuple[str, str], rows: Sequence[Sequence[Any]]
    ) -> tuple[list[list[Any]], list[Any]]:
        """`rows` as the parameters of whole statements (`_per(insert)` rows each) and of one
        statement for the rest (empty when none)."""
        per = self._per(insert)
        whole = len(rows) - len(rows) % per
        chain = itertools.chain.from_iterable
        return (
            [list(chain(rows[i : i + per])) for i in range(0, whole, per)],
            list(chain(rows[whole:])),
        )

    def _per(self, insert: tuple[str, str]) -> int:
        per = ROWS_PER_INSERT
        if self.max_params:  # SQLite before 3.32 allowed 999 bound parameters per statement
            per = max(1, min(per, self.max_params // insert[1].count("%s")))
        return per

    def _run_batches(
        self, cursor: Any, insert: tuple[str, str], batches: tuple[list[list[Any]], list[Any]]
    ) -> None:
        """Run `_batches`' statements. On SQLite they go to the driver's own cursor in its `?`
        style: Django's wrapper would rewrite each long statement's `%s` marks with a regular
        expression on every call."""
        head, row = insert
        whole, rest = batches
        run, run_many = cursor.execute, cursor.executemany
        if self.sqlite:
            raw = connection.connection
            run, run_many = raw.execute, raw.executemany
            head, row = head.replace("%s", "?"), row.replace("%s", "?")
        if whole:
            run_many(head + ", ".join([row] * self._per(insert)), whole)
        if rest:
            run(head + ", ".join([row] * (len(rest) // insert[1].count("%s"))), rest)

    def _json(self, value: Any) -> Any:
        if self.sqlite:
            return json.dumps(value, ensure_ascii=False)
        return OrderLine._meta.get_field("expansion").get_db_prep_value(value, connection)

    def _time(self, value: str | None) -> Any:
        if value is None:
            return None
        moment = dt.datetime.fromisoformat(value)
        if self.sqlite:  # Django stores naive UTC text on SQLite
            return (moment - dt.timedelta(hours=8)).isoformat(" ")
        return moment.replace(tzinfo=CN)

    def _now(self) -> Any:
        now = clock.now()
        if self.sqlite:
            return now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        return now

    # -- SKUs
    def _sku(self, line: tuple[Any, ...]) -> tuple[int | None, list[tuple[int, str, int]]]:
        return self._sku_key(
            (line[LI["platform_item_id"]], line[LI["platform_sku_id"]], line[LI["merchant_code"]])
        )

    def resolve_keys(self, keys: Iterable[tuple[Any, Any, Any]]) -> None:
        """Look up every (item id, SKU id, merchant code) not yet known, in a few batch queries
        (`sku_resolve_many`): before a chunk is built, and up front for the row builder's child,
        which has no database."""
        missing = [key for key in keys if key not in self.memo]
        if missing:
            for key, sku in sku_resolve_many(store=self.store, keys=missing).items():
                self.memo[key] = self._resolved(sku)

    def _sku_key(self, key: tuple[Any, Any, Any]) -> tuple[int | None, list[tuple[int, str, int]]]:
        found = self.memo.get(key)
        if found is None:
            sku = self.resolve(
                platform_item_id=key[0], platform_sku_id=key[1], merchant_code=key[2]
            )
            found = self.memo[key] = self._resolved(sku)
        return found

    def _resolved(self, sku: Any) -> tuple[int | None, list[tuple[int, str, int]]]:
        """(SKU id, a combo's components as (id, code, quantity)) — or (None, []): no SKU."""
        if sku is None:
            return (None, [])
        if sku.is_combo:
            return (sku.pk, [(c.pk, c.merchant_code, q) for c, q in sku_expand(sku, 1)])
        return (sku.pk, [])

    def _line_row(
        self, order_id: int, number: int, line: tuple[Any, ...], placed: Any
    ) -> tuple[tuple[Any, ...], str | None]:
        """The row to insert for one line, and its code when no SKU matches it; `placed` is the
        order's created_at as the order's own INSERT takes it."""
        sku_id, parts = self._sku(line)
        values = list(line)
        unmatched = None
        if sku_id is None and values[LI["status"]] == LineStatus.NORMAL:
            values[LI["status"]] = LineStatus.UNMATCHED.value
            unmatched = line[LI["merchant_code"]] or line[LI["platform_item_id"]] or "?"
        if parts:
            quantity = line[LI["quantity"]]
            key = (sku_id, quantity)
            expansion = self.expansions.get(key)
            if expansion is None:  # a combo: its components × the quantity, once per pair
                expansion = self.expansions[key] = self._json(
                    [{"sku": p, "code": c, "quantity": q * quantity} for p, c, q in parts]
                )
        else:
            expansion = self.empty_json
        return (order_id, number, sku_id, *values, expansion, placed), unmatched

    # -- one chunk
    def write(
        self, batch: list[StagedOrder], existing: dict[str, tuple[int, str]] | None = None
    ) -> None:
        """Create, compare or update one chunk; `existing`: what `existing()` found for it (or
        for more), else looked up here."""
        if existing is None:
            existing = self.existing([o.order_no for o in batch])
        new = [o for o in batch if o.order_no not in existing]
        changed = []
        for order in batch:
            found = existing.get(order.order_no)
            if found is None:
                continue
            if found[1] == order.digest:
                self.result.unchanged += 1
            else:
                changed.append((order, found[0]))
        if new:
            self._create(new)
        if changed:
            self._update(changed)

    def existing(self, numbers: list[str]) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(numbers), IN_CHUNK):
                part = numbers[start : start + IN_CHUNK]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(
                    f"SELECT platform_order_no, id, import_digest FROM {sql_table(Order)} "
                    f"WHERE store_id = %s AND platform_order_no IN ({marks})",
                    [self.store.pk, *part],
                )
                for number, pk, digest in cursor.fetchall():
                    found[number] = (pk, digest)
        return found

    def _create(self, orders: list[StagedOrder]) -> None:
        self.resolve_keys({(li[2], li[3], li[1]) for o in orders for li in o.lines})
        if self.sqlite:
            built = self.build_new(orders, self.take_ids(len(orders)))
            self.insert_built(built)
            return
        now = self._now()
        store_id = self.store.pk
        source = str(OrderSource.IMPORT)
        rows = []
        for order in orders:
            values = list(order.values)
            for index in self.time_indexes:
                values[index] = self._time(values[index])
            rows.append((store_id, order.order_no, source, *values, "", "", order.digest, now, now))
        with connection.cursor() as cursor:
            self._insert_rows(cursor, self.insert_order, rows)
            ids = self._new_ids(orders)
            line_rows: list[tuple[Any, ...]] = []
            exceptions: list[tuple[str, str, int]] = []
            import_id = self.order_import.pk
            created = str(ImportOutcome.CREATED)
            links = [(import_id, order_id, created) for order_id in ids]
            pending = OrderStatus.PENDING_REVIEW
            status_index = OI["status"]
            placed_index = OI["created_at"]
            for order, order_id, row in zip(orders, ids, rows, strict=True):
                unmatched = None
                placed = row[3 + placed_index]  # as the order's INSERT takes it
                for number, line in enumerate(order.lines, start=1):
                    line_row, code = self._line_row(order_id, number, line, placed)
                    line_rows.append(line_row)
                    if code is not None:
                        unmatched = [*(unmatched or ()), code]
                if unmatched and order.values[status_index] == pending:
                    exceptions.append((*_exception(unmatched), order_id))
            self._insert_rows(cursor, self.insert_line, line_rows)
            self._insert_rows(cursor, self.insert_link, links)
            if exceptions:
                cursor.executemany(
                    f"UPDATE {sql_table(Order)} SET status = %s, exception_reason = %s, "
                    "exception_detail = %s WHERE id = %s",
                    [
                        (OrderStatus.EXCEPTION, reason, detail, pk)
                        for reason, detail, pk in exceptions
                    ],
                )
        self.result.created += len(orders)
        self.result.lines += len(line_rows)
        self.result.exceptions += len(exceptions)

    # -- SQLite: new orders with the ids they will have
    def take_ids(self, count: int) -> int:
        """SQLite: the first of `count` ids for new orders (the import holds the write lock, and
        only this writer adds orders meanwhile)."""
        if self.next_id is None:
            with connection.cursor() as cursor:
                self.next_id = self._last_id(cursor) + 1
        first = self.next_id
        self.next_id += count
        return first

    def build_new(self, orders: list[StagedOrder], first_id: int) -> Built:
        """SQLite: the statements' parameters that create `orders` with ids `first_id`… — the
        orders (a paid order with goods no SKU matches already 异常), their lines, the import's
        links — and the counts. No database access once `resolve_keys` has run, so the row
        builder's child (`_write_new_in_child`) runs this very code."""
        now = self._now()
        store_id = self.store.pk
        source = str(OrderSource.IMPORT)
        import_id = self.order_import.pk
        created = str(ImportOutcome.CREATED)
        memo = self.memo
        empty = self.empty_json
        pending = OrderStatus.PENDING_REVIEW
        exception = OrderStatus.EXCEPTION.value
        status_index = OI["status"]
        placed_index = OI["created_at"]
        order_rows: list[tuple[Any, ...]] = []
        line_rows: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        exceptions = 0
        for order_id, order in enumerate(orders, start=first_id):
            values = order.values
            placed = values[placed_index]  # Beijing text: the INSERT makes it UTC (__init__)
            unmatched = None
            for number, line in enumerate(order.lines, start=1):
                found = memo.get((line[2], line[3], line[1])) or self._sku(line)
                if found[0] is not None and not found[1]:  # the common case: a plain SKU
                    line_rows.append((order_id, number, found[0], *line, empty, placed))
                    continue
                line_row, code = self._line_row(order_id, number, line, placed)
                line_rows.append(line_row)
                if code is not None:
                    unmatched = [*(unmatched or ()), code]
            reason = detail = ""
            if unmatched and values[status_index] == pending:
                reason, detail = _exception(unmatched)
                values = (*values[:status_index], exception, *values[status_index + 1 :])
                exceptions += 1
            order_rows.append(
                (
                    order_id,
                    store_id,
                    order.order_no,
                    source,
                    *values,
                    reason,
                    detail,
                    order.digest,
                    now,
                    now,
                )
            )
            links.append((import_id, order_id, created))
        return (
            len(orders),
            len(line_rows),
            exceptions,
            self._batches(self.insert_order, order_rows),
            self._batches(self.insert_line, line_rows),
            self._batches(self.insert_link, links),
        )

    def insert_built(self, built: Built) -> None:
        count, lines, exceptions, orders, order_lines, links = built
        with connection.cursor() as cursor:
            self._run_batches(cursor, self.insert_order, orders)
            self._run_batches(cursor, self.insert_line, order_lines)
            self._run_batches(cursor, self.insert_link, links)
        self.result.created += count
        self.result.lines += lines
        self.result.exceptions += exceptions

    def _last_id(self, cursor: Any) -> int:
        """SQLite: the id the next inserted order follows (AUTOINCREMENT: the larger of the
        table's sequence and its largest id; the import holds the write lock)."""
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max(id) FROM {sql_table(Order)}), 0))",
            [Order._meta.db_table],
        )
        return int(cursor.fetchone()[0])

    def _new_ids(self, orders: list[StagedOrder]) -> list[int]:
        """PostgreSQL: the ids the orders just inserted got, in their order."""
        found = self.existing([o.order_no for o in orders])
        return [found[o.order_no][0] for o in orders]

    def _update(self, changed: list[tuple[StagedOrder, int]]) -> None:
        ids = [pk for _order, pk in changed]
        select_cols = [
            "id",
            "personal_data_erased_at",
            "exception_reason",
            "exception_detail",
            *TRACKED,
        ]
        current: dict[int, dict[str, Any]] = {}
        lines_by_order: dict[int, list[tuple[int | None, int]]] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(ids), IN_CHUNK):
                part = ids[start : start + IN_CHUNK]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(
                    f"SELECT {', '.join(sql_name(c) for c in select_cols)} FROM {sql_table(Order)} "
                    f"WHERE id IN ({marks})",
                    part,
                )
                for row in cursor.fetchall():
                    current[row[0]] = dict(zip(select_cols, row, strict=True))
                cursor.execute(
                    "SELECT order_id, sku_id, id, platform_line_id, merchant_code, "
                    f"platform_item_id, platform_sku_id FROM {sql_table(OrderLine)} "
                    f"WHERE order_id IN ({marks}) ORDER BY order_id, line_no",
                    part,
                )
                for order_id, sku_id, line_pk, *identity in cursor.fetchall():
                    lines_by_order.setdefault(order_id, []).append((sku_id, line_pk, *identity))
        now = self._now()
        at = self._now()
        plain: list[list[Any]] = []
        erased_rows: list[list[Any]] = []
        line_updates: list[tuple[Any, ...]] = []
        line_inserts: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        import_id = self.order_import.pk
        actor_id = getattr(self.actor, "pk", None)
        for order, pk in changed:
            old = current[pk]
            values = list(order.values)
            placed = values[OI["created_at"]]
            if not self.sqlite:  # SQLite converts in the statement (see __init__)
                placed = self._time(placed)
            status = order_status_from_platform(old["status"], values[OI["status"]])
            pairs = _pair_lines(lines_by_order.get(pk, []), order.lines)
            unmatched = []
            for index, line in enumerate(order.lines):
                if pairs[index] is not None:
                    old_sku, line_pk = pairs[index]
                    line_values = list(line)
                    sku_id = old_sku  # mapped earlier (or by hand): keep
                    if sku_id is None:
                        sku_id = self._sku(line)[0]
                    if sku_id is None and line_values[LI["status"]] == LineStatus.NORMAL:
                        line_values[LI["status"]] = LineStatus.UNMATCHED.value
                        unmatched.append(line[LI["merchant_code"]] or "?")
                    line_updates.append((*line_values, sku_id, placed, line_pk))
                else:
                    row, code = self._line_row(pk, index + 1, line, placed)
                    line_inserts.append(row)
                    if code is not None:
                        unmatched.append(code)
            reason, detail = old["exception_reason"], old["exception_detail"]
            if unmatched and status == OrderStatus.PENDING_REVIEW:
                status = OrderStatus.EXCEPTION
                reason, detail = _exception(unmatched)
            if status == OrderStatus.EXCEPTION and old["status"] != OrderStatus.EXCEPTION:
                self.result.exceptions += 1
            if status == OrderStatus.CLOSED and old["status"] != OrderStatus.CLOSED:
                self.closed.append(pk)
            for name in TIMES:
                values[OI[name]] = self._time(values[OI[name]])
            is_erased = old["personal_data_erased_at"] is not None
            cols = self.update_cols_erased if is_erased else self.update_cols
            row_values = [values[OI[c]] for c in cols]
            row_values += [status, reason, detail, order.digest, now, pk]
            (erased_rows if is_erased else plain).append(row_values)
            before, after = _diff(old, order.values, status)
            if before:
                message = _("平台导出更新（导入 #%(id)s）") % {"id": import_id}
                events.append(
                    (
                        pk,
                        at,
                        actor_id,
                        OrderEventKind.UPDATED,
                        message,
                        self._json(before),
                        self._json(after),
                        import_id,
                    )
                )
            links.append((import_id, pk, ImportOutcome.UPDATED))
        with connection.cursor() as cursor:
            for rows, cols in ((plain, self.update_cols), (erased_rows, self.update_cols_erased)):
                if not rows:
                    continue
                assignments = ", ".join(f"{sql_name(c)} = %s" for c in cols)
                cursor.executemany(
                    f"UPDATE {sql_table(Order)} SET {assignments}, status = %s, "
                    "exception_reason = %s, exception_detail = %s, import_digest = %s, "
                    "updated_at = %s WHERE id = %s",
                    rows,
                )
            if line_updates:
                assignments = ", ".join(f"{sql_name(c)} = %s" for c in L_COLS)
                cursor.executemany(
                    f"UPDATE {sql_table(OrderLine)} SET {assignments}, sku_id = %s, "
                    f"order_created_at = {self.utc} WHERE id = %s",
                    line_updates,
                )
            if line_inserts:
                self._insert_rows(cursor, self.insert_line, line_inserts)
            if events:
                self._insert_rows(cursor, self.insert_event, events)
            self._insert_rows(cursor, self.insert_link, links)
        self.result.updated += len(changed)
        self.result.lines += sum(len(o.lines) for o, _pk in changed)


def _pair_lines(
    known: list[tuple[Any, ...]], lines: list[tuple[Any, ...]]
) -> list[tuple[int | None, int] | None]:
    """For each line of a newer export, the stored line it updates — (its SKU, its id) — or None
    (a new line). A platform may list an order's lines in another order from one export to the
    next, so a line is paired by what it is before where it is: the same 子订单编号, else the same
    item (merchant code, item id, SKU id); what is left pairs by position, as before. A stored
    line keeps its SKU (mapped by hand, perhaps), so pairing by position alone could give one
    line's goods to another."""
    pairs: list[tuple[int | None, int] | None] = [None] * len(lines)
    free = list(range(len(known)))

    def take(index: int, stored: int) -> None:
        pairs[index] = (known[stored][0], known[stored][1])
        free.remove(stored)

    line_id, code, item, variant = (
        LI["platform_line_id"],
        LI["merchant_code"],
        LI["platform_item_id"],
        LI["platform_sku_id"],
    )
    for index, line in enumerate(lines):  # 1. the platform's own line id
        if line[line_id]:
            for stored in free:
                if known[stored][2] == line[line_id]:
                    take(index, stored)
                    break
    for index, line in enumerate(lines):  # 2. the same item
        if pairs[index] is None:
            what = (line[code] or "", line[item] or "", line[variant] or "")
            for stored in free:
                if not (line[line_id] and known[stored][2]) and (
                    (known[stored][3] or "", known[stored][4] or "", known[stored][5] or "") == what
                ):
                    take(index, stored)
                    break
    for index in range(len(lines)):  # 3. by position among the rest
        if pairs[index] is None and free:
            take(index, free[0])
    return pairs


def _exception(unmatched: list[str]) -> tuple[str, str]:
    codes = "、".join(dict.fromkeys(unmatched))
    return ExceptionReason.UNMATCHED_SKU.value, (_("未匹配商品：%(codes)s") % {"codes": codes})[
        :255
    ]


def _diff(old: dict[str, Any], values: list[Any], status: str) -> tuple[dict, dict]:
    """What a newer export changed, for the timeline (no personal data: TRACKED has none)."""
    before, after = {}, {}
    for name in TRACKED:
        new = status if name == "status" else values[OI[name]]
        was = old.get(name)
        if name.endswith("_amount"):
            same = was is not None and new is not None and float(was) == float(new)
        else:
            same = (was or "") == (new or "")
        if not same:
            before[name] = str(was) if was is not None else None
            after[name] = str(new) if new is not None else None
    return before, after
