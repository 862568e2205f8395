# The database cache's table, made by `migrate` so that every way of starting Qyzmet (`qyzmet serve`,
# `qyzmet demo`, the tests' fresh databases) has it: Django's migrate does not create cache tables itself.

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # Creates the table of every DatabaseCache in settings.CACHES on this database; a no-op if it exists.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_event_hash_chain'),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
    ]
