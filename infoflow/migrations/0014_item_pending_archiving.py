"""An index for the archive's pending list: completed items by completion time (issue 12)."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("infoflow", "0013_step_changes_and_phrases"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="item",
            index=models.Index(condition=models.Q(("state", "completed")), fields=["completed_at"],
                               name="item_pending_archiving"),
        ),
    ]
