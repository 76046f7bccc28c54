"""Re-encrypt every stored enquiry with the first key of ``KETACLINIC_FIELD_KEYS``.

Rotation: put the new key first (keep the old one after it), run this, then remove the old
key. Rows are rewritten in batches, each in its own transaction under row locks, so the
queue keeps working meanwhile; a value no key opens stops the run with a clear error
(``UndecryptableValue``) before anything of that batch is written.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models.functions import Cast

from ketaclinic.apps.enquiries.encrypted_fields import EncryptedTextField, reencrypt_text
from ketaclinic.apps.enquiries.models import Enquiry

__all__ = ["encrypted_field_names", "rotate_enquiry_keys"]


def encrypted_field_names() -> list[str]:
    return [f.attname for f in Enquiry._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def rotate_enquiry_keys(batch_size: int = 500) -> int:
    """Rewrite every enquiry's encrypted values under the first key; returns how many rows.

    Tokens are read as stored (cast to plain text, so the ORM does not decrypt them) and
    written back as tokens (a plain-text ``Value``, so the ORM does not encrypt them again):
    each value is opened once, by ``MultiFernet.rotate``, and must open with some key.
    """
    names = encrypted_field_names()
    raw = {f"token_{name}": Cast(name, models.TextField()) for name in names}
    ids = list(Enquiry.objects.order_by("pk").values_list("pk", flat=True))
    rewritten = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            rows = (
                Enquiry.objects.select_for_update()
                .filter(pk__in=batch)
                .order_by("pk")
                .annotate(**raw)
                .values("pk", *raw)
            )
            rotated = [
                (row["pk"], {name: reencrypt_text(row[f"token_{name}"] or "") for name in names})
                for row in rows
            ]
            for pk, tokens in rotated:
                Enquiry.objects.filter(pk=pk).update(
                    **{
                        name: models.Value(token, output_field=models.TextField())
                        for name, token in tokens.items()
                    }
                )
                rewritten += 1
    return rewritten
