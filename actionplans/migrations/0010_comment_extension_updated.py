from django.db import migrations, models
from django.db.models.functions import Coalesce
from django.utils import timezone


def last_changes(apps, schema_editor):
    """Existing rows: `updated` is their last known change, not the migration's time."""
    Comment = apps.get_model("actionplans", "Comment")
    ExtensionRequest = apps.get_model("actionplans", "ExtensionRequest")
    Comment.objects.update(updated=Coalesce("deleted_at", "edited", "created"))
    ExtensionRequest.objects.update(updated=Coalesce("decided_at", "requested_at"))


class Migration(migrations.Migration):
    dependencies = [("actionplans", "0009_sync_indexes")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="updated",
            field=models.DateTimeField(auto_now=True, default=timezone.now, verbose_name="updated"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalcomment",
            name="updated",
            field=models.DateTimeField(
                blank=True, default=timezone.now, editable=False, verbose_name="updated"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="extensionrequest",
            name="updated",
            field=models.DateTimeField(auto_now=True, default=timezone.now, verbose_name="updated"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalextensionrequest",
            name="updated",
            field=models.DateTimeField(
                blank=True, default=timezone.now, editable=False, verbose_name="updated"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(last_changes, migrations.RunPython.noop),
    ]
