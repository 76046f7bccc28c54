"""Verified checkpoints in the database: where ``audit verify --since-checkpoint`` starts."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_audit_key_id'),
    ]

    operations = [
        migrations.CreateModel(
            name='VerifiedAuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.BigIntegerField(db_index=True)),
                ('signed', models.TextField(help_text='The signed checkpoint (keyedchain.sign_checkpoint).')),
                ('verified_at', models.DateTimeField()),
                ('full', models.BooleanField(help_text='Whether the run that made it started at position 1.')),
            ],
        ),
    ]
