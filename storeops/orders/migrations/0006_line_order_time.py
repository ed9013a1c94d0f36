"""Lines carry their order's time, so a merchant-code search walks one index newest first."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_order_time(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    OrderLine.objects.update(
        order_created_at=Subquery(
            Order.objects.filter(pk=OuterRef("order_id")).values("created_at")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_defaults'),
        ('orders', '0005_flag_index_by_time'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='orderline',
            name='orderline_sku',
        ),
        migrations.RemoveIndex(
            model_name='orderline',
            name='orderline_merchant_code',
        ),
        migrations.AddField(
            model_name='orderline',
            name='order_created_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='下单时间'),
        ),
        migrations.RunPython(copy_order_time, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='orderline',
            index=models.Index(fields=['sku', '-order_created_at', '-order'], name='orderline_sku_time'),
        ),
        migrations.AddIndex(
            model_name='orderline',
            index=models.Index(fields=['merchant_code', '-order_created_at', '-order'], name='orderline_code_time'),
        ),
    ]
