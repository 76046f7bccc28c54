"""Each course's flag definitions move to a table of their own, so the rows the cohort query
scans are narrow (PostgreSQL keeps a value of ~1.4 kB in line, widening every row)."""

import django.db.models.deletion
from django.db import migrations, models


def move_definitions(apps, schema_editor):
    CourseOutcome = apps.get_model("outcomes", "CourseOutcome")
    OutcomeExplanation = apps.get_model("outcomes", "OutcomeExplanation")
    OutcomeExplanation.objects.bulk_create(
        OutcomeExplanation(outcome_id=course_id, definitions=definitions)
        for course_id, definitions in CourseOutcome.objects.values_list(
            "course_id", "definitions"
        ).iterator()
    )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_weekly_scores_carry_filters")]

    operations = [
        migrations.CreateModel(
            name="OutcomeExplanation",
            fields=[
                (
                    "outcome",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="explanation",
                        serialize=False,
                        to="outcomes.courseoutcome",
                    ),
                ),
                ("definitions", models.JSONField()),
            ],
        ),
        migrations.RunPython(move_definitions, migrations.RunPython.noop),
        migrations.RemoveField(model_name="courseoutcome", name="definitions"),
    ]
