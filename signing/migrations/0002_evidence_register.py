# Generated for issue 3 (evidence): archive versions, revocation, the transparency log.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("signing", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tree_size", models.PositiveBigIntegerField(unique=True)),
                ("root_hash", models.BinaryField(max_length=32)),
                ("timestamp", models.DateTimeField()),
                ("signature", models.BinaryField()),
            ],
            options={
                "verbose_name": "checkpoint",
                "verbose_name_plural": "checkpoints",
                "ordering": ["-tree_size"],
            },
        ),
        migrations.CreateModel(
            name="LogHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("size", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "transparency log head",
            },
        ),
        migrations.CreateModel(
            name="LogLeaf",
            fields=[
                ("index", models.BigIntegerField(primary_key=True, serialize=False)),
                ("leaf_hash", models.BinaryField(max_length=32)),
                ("event_type", models.CharField(max_length=20)),
                ("created", models.DateTimeField()),
            ],
            options={
                "verbose_name": "log leaf",
                "verbose_name_plural": "log leaves",
            },
        ),
        migrations.CreateModel(
            name="LogNode",
            fields=[
                ("key", models.BigIntegerField(primary_key=True, serialize=False)),
                ("level", models.PositiveSmallIntegerField()),
                ("index", models.BigIntegerField()),
                ("hash", models.BinaryField(max_length=32)),
            ],
            options={
                "verbose_name": "log node",
                "verbose_name_plural": "log nodes",
            },
        ),
        migrations.CreateModel(
            name="RevokedCertificate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("serial_number", models.CharField(max_length=64, unique=True, verbose_name="serial number (hex)")),
                ("revoked_at", models.DateTimeField(verbose_name="revoked")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
            ],
            options={
                "verbose_name": "revoked certificate",
                "verbose_name_plural": "revoked certificates",
            },
        ),
        migrations.CreateModel(
            name="DocumentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(choices=[("retimestamp", "archive timestamp renewed")], max_length=20)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("document", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="version_of", to="signing.signeddocument")),
                ("previous", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="next_version", to="signing.signeddocument")),
            ],
            options={
                "verbose_name": "document version",
                "verbose_name_plural": "document versions",
            },
        ),
        migrations.CreateModel(
            name="ArchiveTimestamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("expires_at", models.DateTimeField(verbose_name="timestamp certificate expires")),
                ("is_renewed", models.BooleanField(default=False)),
                ("document", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="archive_timestamp", to="signing.signeddocument")),
            ],
            options={
                "verbose_name": "archive timestamp",
                "verbose_name_plural": "archive timestamps",
                "indexes": [models.Index(fields=["is_renewed", "expires_at"], name="signing_arc_is_rene_9d2136_idx")],
            },
        ),
    ]
