"""Seed the couriers (editable afterwards) and a default packing standard."""

from django.db import migrations

from storeops.fulfillment.enums import COURIER_SEED


def seed(apps, schema_editor):
    Courier = apps.get_model("fulfillment", "Courier")
    PackingStandard = apps.get_model("fulfillment", "PackingStandard")
    for index, (code, name, kuaidi100, pattern) in enumerate(COURIER_SEED):
        Courier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kuaidi100_code": kuaidi100,
                "pattern": pattern,
                "sort_order": index,
            },
        )
    if not PackingStandard.objects.filter(category__isnull=True, is_active=True).exists():
        PackingStandard.objects.create(
            name="通用打包规范",
            package_type="纸箱或快递袋（按体积选择）",
            protective_material="气泡膜",
            inserts="发货清单",
            weight_tolerance_g=50,
        )


class Migration(migrations.Migration):
    dependencies = [("fulfillment", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
