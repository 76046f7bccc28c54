from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "ketaclinic.apps.enquiries"
    label = "enquiries"
    verbose_name = "Waitlist enquiries"
