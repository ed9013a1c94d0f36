"""Formerly seeded the couriers and a default packing standard. That is now done after every
`migrate` by `fulfillment.services.fulfillment_defaults_seed` (a post_migrate handler), the one
place that writes them — which also restores them after a test flush. Kept so the migration graph
stays as it was."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("fulfillment", "0001_initial")]

    operations: list = []
