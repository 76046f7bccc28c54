"""Encrypt what a person told us at rest (``encrypted_fields``), and reversibly.

Steps: add the clear "call first" mark and copy it from the suicidal-thoughts answer; turn
every personal column into plain text (the database casts dates and booleans); encrypt each
row's values with the first key of ``KETACLINIC_FIELD_KEYS``; then declare the encrypted
field types (no SQL: the columns are text already). Backwards, the same in reverse: decrypt
to text, and the database casts back ("1"/"0" to booleans, ISO dates to dates).
"""

from django.db import migrations, models

from ketaclinic.apps.enquiries.encrypted_fields import decrypt_text, encrypt_text
import django.core.validators
import ketaclinic.apps.enquiries.encrypted_fields
import ketaclinic.apps.enquiries.models

PERSONAL = ('condition', 'condition_other', 'date_of_birth', 'declined_reason', 'email', 'family_name', 'given_name', 'high_blood_pressure', 'note', 'phone', 'pregnant_or_planning', 'psychosis_history', 'sex_at_birth', 'substance_use_problem', 'suicidal_thoughts')
BOOLEANS = (
    "high_blood_pressure",
    "pregnant_or_planning",
    "psychosis_history",
    "substance_use_problem",
    "suicidal_thoughts",
)
YES = {"1", "true", "t", "True"}


def mark_call_first(apps, schema_editor):
    Enquiry = apps.get_model("enquiries", "Enquiry")
    Enquiry.objects.filter(suicidal_thoughts=True).update(call_first=True)


def _plain(name, value):
    if value in (None, ""):
        return value
    if name in BOOLEANS:
        return "1" if str(value) in YES else "0"
    return str(value)


def encrypt_rows(apps, schema_editor):
    Enquiry = apps.get_model("enquiries", "Enquiry")
    for row in Enquiry.objects.values("pk", *PERSONAL).iterator(chunk_size=500):
        changes = {}
        for name in PERSONAL:
            value = _plain(name, row[name])
            changes[name] = encrypt_text(value) if value else value
        Enquiry.objects.filter(pk=row["pk"]).update(**changes)


def decrypt_rows(apps, schema_editor):
    Enquiry = apps.get_model("enquiries", "Enquiry")
    for row in Enquiry.objects.values("pk", *PERSONAL).iterator(chunk_size=500):
        changes = {}
        for name in PERSONAL:
            value = row[name]
            changes[name] = decrypt_text(value, f"enquiry {row['pk']} {name}") if value else value
        Enquiry.objects.filter(pk=row["pk"]).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ('enquiries', '0001_waitlist'),
    ]

    operations = [
        migrations.AddField(
            model_name='enquiry',
            name='call_first',
            field=ketaclinic.apps.enquiries.models.FollowingBooleanField(default=False, follows='suicidal_thoughts'),
        ),
        migrations.RunPython(mark_call_first, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='enquiry',
            name='condition',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='condition_other',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='date_of_birth',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='declined_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='email',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='family_name',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='given_name',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='high_blood_pressure',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='note',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='phone',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='pregnant_or_planning',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='psychosis_history',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='sex_at_birth',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='substance_use_problem',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='suicidal_thoughts',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AlterField(
            model_name='enquiry',
            name='condition',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(choices=[('trd', 'Treatment-resistant depression'), ('mdd', 'Major depressive disorder'), ('gad', 'Generalised anxiety disorder'), ('ptsd', 'Post-traumatic stress disorder'), ('ocd', 'Obsessive-compulsive disorder'), ('bipolar_depression', 'Bipolar disorder, current episode depressed'), ('fibromyalgia', 'Fibromyalgia'), ('neuropathic_pain', 'Neuropathic pain'), ('crps', 'Complex regional pain syndrome'), ('migraine', 'Chronic migraine'), ('alcohol_use_disorder', 'Alcohol use disorder'), ('other', 'Something else')], max_length=40),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='condition_other',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(blank=True, max_length=120),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='date_of_birth',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedDateField(),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='declined_reason',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='email',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedEmailField(blank=True, max_length=254),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='family_name',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(max_length=100),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='given_name',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(max_length=100),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='high_blood_pressure',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedBooleanField(blank=True, default=False),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='note',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(blank=True, max_length=1000),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='phone',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(blank=True, max_length=25, validators=[django.core.validators.RegexValidator('^\\+?[0-9 ()./-]{6,25}$', 'Enter a phone number: digits, spaces, + ( ) - . /')]),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='pregnant_or_planning',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedBooleanField(blank=True, default=False),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='psychosis_history',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedBooleanField(blank=True, default=False),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='sex_at_birth',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedTextField(blank=True, choices=[('female', 'Female'), ('male', 'Male'), ('intersex', 'Intersex'), ('unknown', 'Unknown')], max_length=16),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='substance_use_problem',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedBooleanField(blank=True, default=False),
        ),
        migrations.AlterField(
            model_name='enquiry',
            name='suicidal_thoughts',
            field=ketaclinic.apps.enquiries.encrypted_fields.EncryptedBooleanField(blank=True, default=False),
        ),
    ]
