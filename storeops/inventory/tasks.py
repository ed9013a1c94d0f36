"""库存预警 (R2.16): every rule checked every 10 minutes, and one SKU right after its stock moved by
hand or its rule changed."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from storeops.inventory.services import stock_alert_check


@db_task()
def stock_alert_check_task(sku_id: int) -> dict[str, int]:
    return stock_alert_check(sku_ids=[sku_id])


@db_periodic_task(crontab(minute="*/10"))
def stock_alert_periodic_task() -> dict[str, int]:
    return stock_alert_check()
