"""Screenings stored before screenings wrote to the measurement history: add their weight and
height to it, dated the screening's day at the site, so the dose order finds them."""

from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import migrations

TENTH = Decimal("0.1")


def _tenth(value):
    return None if value is None else Decimal(str(value)).quantize(TENTH, ROUND_HALF_UP)


def forwards(apps, schema_editor):
    Screening = apps.get_model("treatment", "Screening")
    Measurement = apps.get_model("patients", "Measurement")
    rows = Screening.objects.select_related("site").order_by("id").iterator(chunk_size=500)
    for screening in rows:
        weight = _tenth(screening.inputs.get("weight_kg"))
        if weight is None or not Decimal("2") <= weight <= Decimal("400"):
            continue
        height = _tenth(screening.inputs.get("height_cm"))
        if height is not None and not Decimal("40") <= height <= Decimal("250"):
            height = None
        day = screening.screened_at.astimezone(ZoneInfo(screening.site.timezone)).date()
        if Measurement.objects.filter(patient_id=screening.patient_id, measured_on=day).exists():
            continue
        Measurement.objects.create(
            patient_id=screening.patient_id,
            measured_on=day,
            weight_kg=weight,
            height_cm=height,
            recorded_by_id=screening.screened_by_id,
            source="screening",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_measurement_source"),
        ("treatment", "0004_course_one_per_screening_and_same_day_reason"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
