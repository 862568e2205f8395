"""Indexes for the compliance monitoring (qyzmet.monitoring): a period's cases of an office are those still open
or closed since the period began, one range each of (office, closed_at, submitted_at) and (provider_office, closed_at, submitted_at) —
without them the database walks every case the office ever received before the period's end.

Database-only (SeparateDatabaseAndState): the indexes belong to monitoring's queries, and the cases app's model
state is left as its own models declare it, so ``makemigrations cases`` never proposes to drop them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0015_scale_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddIndex(
                    model_name="case",
                    index=models.Index(fields=["office", "closed_at", "submitted_at"], name="case_office_closed_at"),
                ),
                migrations.AddIndex(
                    model_name="case",
                    index=models.Index(fields=["provider_office", "closed_at", "submitted_at"], name="case_provider_closed_at"),
                ),
            ],
            state_operations=[],
        ),
    ]
