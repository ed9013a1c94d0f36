"""The default four description modules (R2.7), positioning tags (R2.2) and the photo standard."""

from django.db import migrations

MODULES = (
    ("selling_points", "卖点与展示"),
    ("specifications", "规格参数"),
    ("details", "细节展示"),
    ("service_logistics", "售后与物流"),
)
TAGS = ("引流款", "利润款", "形象款", "活动款", "新品")


def create_defaults(apps, schema_editor):
    module_model = apps.get_model("catalog", "DescriptionModule")
    for index, (code, name) in enumerate(MODULES):
        module_model.objects.get_or_create(code=code, defaults={"name": name, "sort_order": index})
    tag_model = apps.get_model("catalog", "PositioningTag")
    for index, name in enumerate(TAGS):
        tag_model.objects.get_or_create(name=name, defaults={"sort_order": index})
    standard = apps.get_model("catalog", "PhotoStandard")
    if not standard.objects.exists():
        standard.objects.create()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
