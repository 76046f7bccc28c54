"""Weekly scores carry their course's filter columns (no join for the trajectory plot).
Weekly rows are derived data: they are emptied here and rebuilt by ``refresh_outcomes``.

``toast_tuple_target`` was meant to move the wide explanation column out of line; PostgreSQL
only toasts rows over 2 kB, so it has no effect here: 0003 moves the column to its own table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def empty_weeks(apps, schema_editor):
    apps.get_model("outcomes", "WeeklyScore").objects.all().delete()


def narrow_heap(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE outcomes_courseoutcome SET (toast_tuple_target = 128)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("outcomes", "0001_course_outcomes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(empty_weeks, migrations.RunPython.noop),
        migrations.RunPython(narrow_heap, migrations.RunPython.noop),
        migrations.AddField(
            model_name="weeklyscore",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.site",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="route",
            field=models.CharField(
                choices=[
                    ("iv", "IV infusion (racemic ketamine)"),
                    ("im", "IM injection (racemic ketamine)"),
                    ("esketamine", "Esketamine nasal spray"),
                    ("sublingual", "Sublingual troche (racemic ketamine)"),
                    ("oral", "Oral (racemic ketamine)"),
                ],
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="protocol_id",
            field=models.CharField(max_length=60),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="indication",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="prescriber",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="sex",
            field=models.CharField(
                choices=[
                    ("female", "Female"),
                    ("male", "Male"),
                    ("intersex", "Intersex"),
                    ("unknown", "Unknown"),
                ],
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="age_band",
            field=models.CharField(
                choices=[
                    ("18-24", "18–24"),
                    ("25-34", "25–34"),
                    ("35-44", "35–44"),
                    ("45-54", "45–54"),
                    ("55-64", "55–64"),
                    ("65+", "65 and over"),
                ],
                max_length=8,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="first_dose_on",
            field=models.DateField(),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="primary_instrument",
            field=models.CharField(max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="weeklyscore",
            name="response_group",
            field=models.CharField(
                choices=[
                    ("responder", "Responders"),
                    ("non_responder", "Non-responders"),
                    ("no_follow_up", "No follow-up score"),
                ],
                max_length=16,
            ),
            preserve_default=False,
        ),
    ]
