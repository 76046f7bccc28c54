"""Settings › Reminder policies: each site's offsets, questionnaire delay and quiet hours."""

from django.contrib import admin

from ketaclinic.apps.reminders.models import ReminderPolicy


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "site",
        "appointment_reminders",
        "appointment_offsets_hours",
        "questionnaire_reminders",
        "questionnaire_after_hours",
        "quiet_start",
        "quiet_end",
    )
