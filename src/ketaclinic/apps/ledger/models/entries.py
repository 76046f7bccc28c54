"""The ledger itself: append-only, hash-chained entries, one chain per registered site."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ketaclinic.apps.audit.models import AppendOnlyModel
from ketaclinic.apps.ledger.choices import EntryKind


def chain_name(site_id: int) -> str:
    """Each registered site keeps its own chain (its own DEA registration, its own records)."""
    return f"ledger:{site_id}"


#: The attributes a ledger entry's hash covers: the one list the writer and ``ledger verify``
#: (which reads them as plain columns) both use.
CHAINED_FIELDS = (
    "chain",
    "position",
    "site_id",
    "container_id",
    "kind",
    "effect_kind",
    "quantity",
    "delta",
    "balance_after",
    "book_quantity",
    "estimated",
    "occurred_at",
    "recorded_at",
    "user_id",
    "witness_id",
    "second_witness_id",
    "patient_id",
    "session_id",
    "corrects_id",
    "related_entry_id",
    "inventory_id",
    "reason",
    "details",
)


class LedgerEntry(AppendOnlyModel):
    """One thing that happened to one container, signed by the person who did it.

    ``delta`` is the signed change to the container's balance in ledger units (negative for
    what left the shelf; zero for a count); ``balance_after`` is the container's balance
    once this entry applied. ``effect_kind`` is the kind whose total the delta belongs to —
    its own kind, or for a correction the kind of the entry it corrects — so the ledger
    equation holds with corrections in it. Entries are never edited: a mistake is fixed by
    a correction that points at it (``corrects``) with a reason.
    """

    chain = models.CharField(max_length=40, editable=False)
    position = models.BigIntegerField(editable=False)
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    container = models.ForeignKey(
        "ledger.Container", on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    effect_kind = models.CharField(max_length=20, choices=EntryKind.choices)
    quantity = models.IntegerField(help_text="Ledger units; for a count, what was counted.")
    delta = models.IntegerField()
    balance_after = models.IntegerField()
    book_quantity = models.IntegerField(
        null=True, blank=True, help_text="For a count: the book balance when counted."
    )
    estimated = models.BooleanField(default=False)
    occurred_at = models.DateTimeField(help_text="When it actually happened.")
    recorded_at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        "treatment.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    related_entry = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text="The administration a syringe waste follows; the other half of a transfer.",
    )
    inventory = models.ForeignKey(
        "ledger.Inventory", null=True, blank=True, on_delete=models.PROTECT, related_name="counts"
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["site", "position"]
        verbose_name_plural = "ledger entries"
        permissions = [
            ("receive_stock", "Can receive controlled-substance stock"),
            ("administer_stock", "Can record an administration"),
            ("waste_stock", "Can record witnessed waste"),
            ("witness_entry", "Can witness waste and destruction"),
            ("destroy_stock", "Can record destruction"),
            ("transfer_stock", "Can transfer stock between sites"),
            ("report_loss", "Can report a loss or theft"),
            ("count_stock", "Can record a physical count"),
            ("correct_entry", "Can correct a ledger entry"),
            ("take_inventory", "Can take an inventory"),
            ("export_ledger", "Can export the ledger and inventory reports"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="ledger_chain_position"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_balance_never_negative"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="ledger_quantity_not_neg"),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.WASTE) | Q(witness__isnull=False),
                name="ledger_waste_is_witnessed",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.DESTRUCTION)
                | Q(witness__isnull=False, second_witness__isnull=False),
                name="ledger_destruction_two_witnesses",
            ),
            models.CheckConstraint(
                condition=Q(witness__isnull=True) | ~Q(witness=F("user")),
                name="ledger_witness_is_someone_else",
            ),
            models.CheckConstraint(
                condition=Q(second_witness__isnull=True)
                | (~Q(second_witness=F("user")) & ~Q(second_witness=F("witness"))),
                name="ledger_second_witness_is_a_third_person",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.ADMINISTRATION) | Q(patient__isnull=False),
                name="ledger_administration_has_patient",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.CORRECTION, corrects__isnull=False)
                | (~Q(kind=EntryKind.CORRECTION) & Q(corrects__isnull=True)),
                name="ledger_correction_points_at_entry",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.COUNT) | Q(delta=0, book_quantity__isnull=False),
                name="ledger_count_changes_nothing",
            ),
        ]
        indexes = [
            models.Index(fields=["container", "position"], name="ledger_container_idx"),
            models.Index(fields=["site", "occurred_at"], name="ledger_site_time_idx"),
            models.Index(fields=["site", "kind", "position"], name="ledger_site_kind_idx"),
            # The entries API's order (site, then chain position) for the sites a user sees.
            models.Index(fields=["site", "position"], name="ledger_site_position_idx"),
            # The reports page, newest first and paged by this key across sites.
            models.Index(fields=["occurred_at", "id"], name="ledger_report_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.position} {self.kind} {self.delta:+d}"

    def chained_fields(self) -> dict:
        """Everything the hash covers, in plain JSON types (``CHAINED_FIELDS``).

        Instants in UTC, as the database gives them back: an ``occurred_at`` typed in the
        clinic's own time zone (``KETACLINIC_TIME_ZONE``) was once hashed with its offset
        and read back in UTC, so ``ledger verify`` called a correct entry altered. For an
        instant already in UTC (every entry written so far) the text is unchanged."""
        fields = {name: getattr(self, name) for name in CHAINED_FIELDS}
        fields["occurred_at"] = self.occurred_at.astimezone(dt.UTC).isoformat()
        fields["recorded_at"] = self.recorded_at.astimezone(dt.UTC).isoformat()
        return fields


class VerifiedCheckpoint(models.Model):
    """The last entry of a chain that ``ledger verify`` found intact: where the next
    ``--since-checkpoint`` run starts. Written only after a clean run; the full run (the
    default) ignores it and re-checks every entry from the first."""

    chain = models.CharField(max_length=100, unique=True)
    position = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.chain} verified to #{self.position}"


class WasteAwaited(models.Model):
    """A dose whose syringe remainder (drawn, not given) is not all wasted with a witness yet.

    The ledger dashboard lists these as tasks. Kept by the two entry writers (``append_entry``
    and ``append_batch``) in the same transaction as the entry: an administration with waste
    due adds a row, each witnessed waste for it lowers ``due_units``, and the row goes when
    nothing is left. So the dashboard reads the few open rows by site instead of every dose
    the site ever gave (which grew with the clinic).
    """

    administration = models.OneToOneField(
        LedgerEntry,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="waste_awaited",
        limit_choices_to={"kind": EntryKind.ADMINISTRATION},
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    position = models.BigIntegerField(help_text="The administration's place in its chain.")
    due_units = models.IntegerField(help_text="Ledger units drawn, not given, not yet wasted.")

    class Meta:
        ordering = ["site", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(due_units__gt=0), name="waste_awaited_due_positive")
        ]
        indexes = [models.Index(fields=["site", "position"], name="waste_awaited_site_idx")]

    def __str__(self) -> str:
        return f"waste due for entry {self.administration_id}: {self.due_units}"
