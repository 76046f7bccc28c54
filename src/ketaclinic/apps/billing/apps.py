from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ketaclinic.apps.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Scheduling asks registered advisors about a moved session; billing says when it
        # falls outside the course's prior authorization (treatment never imports billing).
        from ketaclinic.apps.billing.authorizations import authorization_advice
        from ketaclinic.apps.treatment import scheduling_advice

        scheduling_advice.register(authorization_advice)
