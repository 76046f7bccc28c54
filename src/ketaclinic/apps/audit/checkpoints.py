"""``ketaclinic audit checkpoint``: a signed head of the chain, to keep outside the database.

The checkpoint is written only after the chain verifies (in full, or from the previous
checkpoint), so each one vouches for everything before it: a nightly job can chain, verify
incrementally from yesterday's checkpoint and ship today's to write-once storage.
"""

from __future__ import annotations

import json
from pathlib import Path

from ketaclinic.apps.audit.chaining import audit_key, audit_keys, chain_head, chain_pending
from ketaclinic.apps.audit.hashchain import ChainReport
from ketaclinic.apps.audit.keyedchain import (
    Checkpoint,
    CheckpointError,
    key_id,
    parse_checkpoint,
    sign_checkpoint,
)
from ketaclinic.apps.audit.recorder import AUDIT_CHAIN
from ketaclinic.apps.audit.verification import verify_audit_chain
from ketaclinic.apps.web import clock

__all__ = ["CheckpointError", "make_checkpoint", "read_checkpoint"]


def read_checkpoint(path: str | Path) -> Checkpoint:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path}: cannot be read ({type(error).__name__})") from None
    return parse_checkpoint(audit_keys(), text, source=str(path))


def make_checkpoint(since: Checkpoint | None = None) -> tuple[ChainReport, dict | None]:
    """Chain what is pending, verify, and return the signed head (None if the chain is broken)."""
    chain_pending(durable=True)
    report = verify_audit_chain(since=since, record=True)
    if not report.ok:
        return report, None
    position, mac = chain_head()
    key = audit_key()
    checkpoint = Checkpoint(
        chain=AUDIT_CHAIN,
        position=position,
        mac=mac,
        count=position,
        created_at=clock.now().isoformat(),
        key_id=key_id(key),
    )
    return report, sign_checkpoint(key, checkpoint)


def checkpoint_json(signed: dict) -> str:
    return json.dumps(signed, indent=2, sort_keys=True) + "\n"
