"""Order import speed (issue 5): Taobao's classic two-file export on SQLite.

    .venv/bin/python bench/bench_orders_import.py [--orders 100000] [--cli-orders 50000]

Prints one JSON object. In a fresh data dir with the demo company seeded, it writes N orders as
Taobao's order report (45 columns, `="…"` ids) and item report (1–3 lines per order, ~2 on
average, real merchant codes and a few unknown ones), then measures:
- `first_import`: `order_import_files` (staging, validation, writes, audit) — orders/s;
- `reimport`: the same files again (all `unchanged`) and its ratio to the first import;
- `raw_executemany`: csv.reader + sqlite3 `executemany` of the same rows into two plain tables in
  a file database — the floor any importer stands on — and the ratio of the import to it;
- `peak_rss_mb`: the process's peak resident memory (VmHWM) after both imports;
- `cli`: `storeops import-orders --json` as a separate process, start-up included, on M orders,
  and `startup_s`: `storeops help import-orders` alone (Python, Django set-up, every app's ready);
- `memory`: a child process imports `--memory-orders` orders (default 1,000,000; 0 skips it) and
  reports its peak resident memory (target ≤ 500 MB).
Seconds are wall-clock; `cpu_s` is the process's CPU time (a loaded machine stretches the wall
time, not the CPU time) and `load_average` is the machine's when the run started.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common

from storeops.orders.importing.taobao_export import (
    ITEM_REPORT_HEADERS as ITEM_HEADER,
)
from storeops.orders.importing.taobao_export import (
    ORDER_REPORT_HEADERS as ORDER_HEADER,
)

STATUSES = (
    ["买家已付款，等待卖家发货"] * 6
    + ["卖家已发货，等待买家确认"] * 2
    + ["交易成功", "等待买家付款", "交易关闭"]
)
PLACES = (
    "浙江省 杭州市 西湖区",
    "广东省 深圳市 南山区",
    "北京 北京市 朝阳区",
    "江苏省 南京市 玄武区",
    "四川省 成都市 武侯区",
)
SURNAMES = "王李张刘陈杨赵黄周吴"


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: a child started with
    fork+exec inherits its parent's ru_maxrss, so the child's own peak would hide under it."""
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_files(directory: Path, count: int, *, prefix: str, first: int, seed: int) -> list[Path]:
    from storeops.catalog.models import Sku

    rng = random.Random(seed)
    skus = list(Sku.objects.values_list("merchant_code", "price"))
    skus += [("UNKNOWN-1", "9.90")]  # a few lines no SKU matches → 异常
    orders_path = directory / f"{prefix}_ExportOrderList.csv"
    items_path = directory / f"{prefix}_ExportOrderDetailList.csv"
    with (
        orders_path.open("w", encoding="utf-8-sig", newline="") as orders_file,
        items_path.open("w", encoding="utf-8-sig", newline="") as items_file,
    ):
        orders = csv.writer(orders_file)
        items = csv.writer(items_file)
        orders.writerow(ORDER_HEADER)
        items.writerow(ITEM_HEADER)
        for n in range(first, first + count):
            number = f"3{n:018d}"
            lines = rng.choice((1, 1, 2, 2, 2, 3, 3))
            goods = 0.0
            status = rng.choice(STATUSES)
            for _line in range(lines):
                code, price = skus[rng.randrange(len(skus))] if rng.random() > 0.002 else skus[-1]
                quantity = rng.choice((1, 1, 1, 2))
                goods += float(price) * quantity
                items.writerow(
                    [
                        f'="{number}"',
                        f"商品 {code}",
                        price,
                        quantity,
                        "",
                        "颜色分类:默认",
                        "",
                        "",
                        status,
                        code,
                    ]
                )
            name = rng.choice(SURNAMES) + "某某"
            mobile = f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
            day = 1 + n % 27
            row = dict.fromkeys(ORDER_HEADER, "")
            row.update(
                {
                    "订单编号": f'="{number}"',
                    "买家会员名": f"buyer{n % 40000}",
                    "买家应付货款": f"{goods:.2f}",
                    "买家应付邮费": "0.00",
                    "总金额": f"{goods:.2f}",
                    "买家实际支付金额": "0.00" if status == "等待买家付款" else f"{goods:.2f}",
                    "订单状态": status,
                    "买家留言": "" if rng.random() > 0.1 else "请尽快发货",
                    "收货人姓名": name,
                    "收货地址": f"{rng.choice(PLACES)} 某某路 {n % 997} 号(310000)",
                    "运送方式": "快递",
                    "联系手机": f"'{mobile}",
                    "订单创建时间": f"2026-10-{day:02d} 10:{n % 60:02d}:{(n * 7) % 60:02d}",
                    "订单付款时间": (
                        "" if status == "等待买家付款" else f"2026-10-{day:02d} 10:{n % 60:02d}:59"
                    ),
                    "宝贝标题": "商品",
                    "宝贝种类": str(lines),
                    "宝贝总数量": str(lines),
                    "店铺名称": "格润莱特淘宝店",
                    "退款金额": "0.00",
                }
            )
            orders.writerow([row[h] for h in ORDER_HEADER])
    return [orders_path, items_path]


def raw_executemany(files: list[Path]) -> float:
    """csv.reader → sqlite3.executemany into two plain tables: the floor for the same rows."""
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(os.path.join(tmp, "raw.db"))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"CREATE TABLE o ({', '.join(f'c{i} TEXT' for i in range(len(ORDER_HEADER)))})")
        db.execute(f"CREATE TABLE l ({', '.join(f'c{i} TEXT' for i in range(len(ITEM_HEADER)))})")
        started = time.perf_counter()
        for path, table, width in (
            (files[0], "o", len(ORDER_HEADER)),
            (files[1], "l", len(ITEM_HEADER)),
        ):
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                marks = ", ".join("?" * width)
                db.executemany(f"INSERT INTO {table} VALUES ({marks})", reader)  # noqa: S608
        db.commit()
        elapsed = time.perf_counter() - started
        db.close()
    return elapsed


def measure(orders: int, cli_orders: int) -> dict:
    vendor = _common.setup_django()
    from storeops.accounts.models import Store, User
    from storeops.demo.services import demo_seed
    from storeops.orders.importing.reading import ImportFile
    from storeops.orders.models import Order
    from storeops.orders.services.imports import order_import_files

    demo_seed(password="bench-pass-123")  # noqa: S106 — a throw-away bench database
    admin = User.objects.get(username="admin")
    store = Store.objects.get(code="tb-main")
    work = Path(tempfile.mkdtemp(prefix="orders-bench-"))
    generated = time.perf_counter()
    paths = write_files(work, orders, prefix="bench", first=1, seed=5)
    generated = time.perf_counter() - generated
    lines = sum(1 for _ in paths[1].open(encoding="utf-8-sig")) - 1

    def run() -> tuple[float, float, dict]:
        started, cpu = time.perf_counter(), time.process_time()
        result = order_import_files(
            actor=admin, store=store, files=[ImportFile.from_path(p) for p in paths]
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return elapsed, cpu, result.as_dict() | {"errors": len(result.errors)}

    load_average = os.getloadavg()
    first, first_cpu, first_result = run()
    again, again_cpu, again_result = run()
    raw = raw_executemany(paths)
    peak = peak_mb()
    assert Order.objects.filter(store=store).count() >= orders

    cli_paths = write_files(work, cli_orders, prefix="cli", first=10_000_000, seed=6)
    command = [
        os.path.join(os.path.dirname(sys.executable), "storeops"),
        "import-orders",
        "--store",
        "tm-flagship",
        "--json",
        *map(str, cli_paths),
    ]
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=False, cwd=_common.ROOT)  # noqa: S603
    cli_elapsed = time.perf_counter() - started
    startup = []
    for _attempt in range(3):
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [command[0], "help", "import-orders"],
            capture_output=True,
            check=False,
            cwd=_common.ROOT,
        )
        startup.append(time.perf_counter() - started)
    for path in (*paths, *cli_paths):
        path.unlink()
    return {
        "database": vendor,
        "orders": orders,
        "lines": lines,
        "generate_files_s": round(generated, 2),
        "load_average": [round(x, 2) for x in load_average],
        "first_import": {
            "seconds": round(first, 3),
            "cpu_s": round(first_cpu, 3),
            "orders_per_s": round(orders / first),
            "result": first_result,
            "target_orders_per_s": 25_000,
        },
        "reimport": {
            "seconds": round(again, 3),
            "cpu_s": round(again_cpu, 3),
            "ratio_to_first": round(again / first, 3),
            "result": again_result,
            "target_ratio": 1.2,
        },
        "raw_executemany": {
            "seconds": round(raw, 3),
            "rows_per_s": round((orders + lines) / raw),
            "import_to_raw_ratio": round(first / raw, 2),
        },
        "peak_rss_mb": round(peak, 1),
        "cli": {
            "orders": cli_orders,
            "seconds_with_startup": round(cli_elapsed, 3),
            "orders_per_s": round(cli_orders / cli_elapsed),
            "startup_s": round(min(startup), 3),
            "exit_status": out.returncode,
            "output": out.stdout.strip()[:300],
            "target_orders_per_s": 12_000,
        },
    }


def memory_child(orders: int) -> dict:
    """In a process of its own: import `orders` orders once, report the peak resident memory."""
    _common.setup_django()
    from storeops.accounts.models import Store, User
    from storeops.demo.services import demo_seed
    from storeops.orders.importing.reading import ImportFile
    from storeops.orders.services.imports import order_import_files

    demo_seed(password="bench-pass-123")  # noqa: S106 — a throw-away bench database
    work = Path(tempfile.mkdtemp(prefix="orders-bench-mem-"))
    paths = write_files(work, orders, prefix="mem", first=1, seed=7)
    before_mb = peak_mb()
    started = time.perf_counter()
    result = order_import_files(
        actor=User.objects.get(username="admin"),
        store=Store.objects.get(code="tb-main"),
        files=[ImportFile.from_path(p) for p in paths],
    )
    elapsed = time.perf_counter() - started
    for path in paths:
        path.unlink()
    return {
        "orders": orders,
        "seconds": round(elapsed, 2),
        "orders_per_s": round(orders / elapsed),
        "created": result.created,
        "peak_rss_mb_before_import": round(before_mb, 1),
        "peak_rss_mb": round(peak_mb(), 1),
        "target_peak_rss_mb": 500,
    }


def memory(orders: int) -> dict:
    out = subprocess.run(  # noqa: S603
        [sys.executable, os.path.abspath(__file__), "--memory-child", str(orders)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"orders": orders, "error": out.stderr.strip()[-500:]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--cli-orders", type=int, default=50_000)
    parser.add_argument("--memory-orders", type=int, default=1_000_000)
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child)))
        return
    results = measure(args.orders, args.cli_orders)
    if args.memory_orders:
        results["memory"] = memory(args.memory_orders)
    _common.emit(
        {
            "benchmark": "orders_import",
            "machine": _common.machine(),
            "results": {"sqlite": results},
        }
    )


if __name__ == "__main__":
    main()
