from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_lists")]

    operations = [
        migrations.RenameField(model_name="liststate", old_name="token", new_name="revision"),
    ]
