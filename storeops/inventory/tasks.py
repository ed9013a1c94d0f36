"""库存预警 (R2.16): every rule checked every 10 minutes, and one SKU right after its stock moved by
hand or its rule changed. The weekly stocktake duties (R3.2): ensured, and overdue periods told to
the 经理s, every hour."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storeops.inventory.services import stock_alert_check, stocktake_check


@db_task()
def stock_alert_check_task(sku_id: int) -> dict[str, int]:
    return stock_alert_check(sku_ids=[sku_id])


@db_periodic_task(crontab(minute="*/10"))
def stock_alert_periodic_task() -> dict[str, int]:
    return stock_alert_check()


@db_periodic_task(crontab(minute="7"))
def stocktake_check_task() -> dict[str, int]:
    return stocktake_check()
