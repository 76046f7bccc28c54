from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ketaclinic.apps.accounts"
    label = "accounts"
    verbose_name = "Sites and staff"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from ketaclinic.apps.accounts import roles, signals  # noqa: F401  (connects receivers)

        post_migrate.connect(roles.sync_role_groups, sender=self)
