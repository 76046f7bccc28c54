"""The audit trail's keyed chain and its signed checkpoints (pure Python, no Django).

Each chained event carries ``mac = HMAC-SHA256(key, prev_mac + "\\n" + canonical event)``,
where the canonical event includes its gap-free ``position``. The key lives outside the
database (``KETACLINIC_AUDIT_KEY``), so someone who can write the table but lacks the key
cannot re-compute the chain after deleting or editing an event: a plain SHA-256 "re-hash" or
one made with another key fails at the first row it touched.

A chain in the database can still be cut short at its end (the last events deleted) without
breaking what remains; a *checkpoint* closes that gap. It is the chain's head (position, mac,
count, time) signed with a key derived from the audit key (HMAC, domain-separated from the
chain's MACs) and kept outside the database, ideally on write-once storage. Verification then
requires every checkpoint's head to still be in the chain, with the same MAC.

Keys rotate (``ketaclinic audit rotate-key``): each event records the ``key_id`` of the key
that made its MAC, and the chain simply goes on under the new key (the first event under it
MACs the last MAC made with the old one). Verification looks each event's key up in a
``KeyRing``: the current key and the retired ones (``KETACLINIC_AUDIT_RETIRED_KEYS``), which
can verify but never chain or sign.

HMAC rather than Ed25519 for checkpoints: whoever verifies the chain needs the HMAC key anyway,
so a public-key signature would let no extra party verify anything; and a checkpoint's
protection against a key holder comes from where it is kept (write-once storage), not from
its signature, which only proves a file was not altered or made without the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ketaclinic.apps.audit.hashchain import GENESIS_HASH, ChainReport, canonical_bytes

__all__ = [
    "CHECKPOINT_FORMAT",
    "GENESIS_MAC",
    "Checkpoint",
    "CheckpointError",
    "KeyRing",
    "KeyedLink",
    "development_audit_key",
    "event_mac",
    "key_id",
    "parse_audit_key",
    "parse_checkpoint",
    "parse_retired_keys",
    "sign_checkpoint",
    "verify_keyed_links",
]

GENESIS_MAC = GENESIS_HASH
CHECKPOINT_FORMAT = "ketaclinic-audit-checkpoint/1"
_CHECKPOINT_KEYS = {"format", "chain", "position", "mac", "count", "created_at", "key_id"}


def parse_audit_key(text: str) -> bytes:
    """32 random bytes in url-safe base64 (44 characters); the error never repeats the key."""
    value = text.strip()
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32 or len(value) != 44:
        raise ValueError(
            "expected 32 random bytes in url-safe base64 (44 characters; "
            "`ketaclinic audit new-key` makes one)"
        )
    return raw


def parse_retired_keys(text: str) -> tuple[bytes, ...]:
    """Comma-separated audit keys no longer used to chain, still needed to verify."""
    keys = []
    for number, part in enumerate(text.split(","), start=1):
        try:
            keys.append(parse_audit_key(part))
        except ValueError as error:
            raise ValueError(f"key {number}: {error}") from None
    return tuple(keys)


def development_audit_key(secret_key: str) -> bytes:
    """The key derived from the development SECRET_KEY, the same on every start.

    Development only: it is as secret as SECRET_KEY and changes with it (the chain then stops
    verifying). ``check --deploy`` requires ``KETACLINIC_AUDIT_KEY`` of its own.
    """
    return hashlib.sha256(b"ketaclinic.audit-key.v1\0" + secret_key.encode()).digest()


def key_id(key: bytes) -> str:
    """A fingerprint naming the key in checkpoints, from which the key cannot be recovered."""
    return hashlib.sha256(b"ketaclinic.audit-key-id.v1\0" + key).hexdigest()[:16]


@dataclass(frozen=True)
class KeyRing:
    """The key that chains and signs now, and the retired keys that still verify."""

    current: bytes
    retired: tuple[bytes, ...] = ()

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def by_id(self, wanted: str) -> bytes | None:
        for key in (self.current, *self.retired):
            if key_id(key) == wanted:
                return key
        return None

    def all(self) -> tuple[bytes, ...]:
        return (self.current, *self.retired)


def _ring(keys: bytes | KeyRing) -> KeyRing:
    return keys if isinstance(keys, KeyRing) else KeyRing(keys)


def event_mac(key: bytes, prev_mac: str, fields: Mapping[str, Any]) -> str:
    return hmac.new(key, prev_mac.encode() + b"\n" + canonical_bytes(fields), "sha256").hexdigest()


def _checkpoint_key(key: bytes) -> bytes:
    return hmac.new(key, b"ketaclinic.audit-checkpoint.v1", "sha256").digest()


@dataclass(frozen=True)
class KeyedLink:
    position: int
    mac: str
    fields: Mapping[str, Any]
    key_id: str | None = None


@dataclass(frozen=True)
class Checkpoint:
    """A signed head of the chain, as written to and read from a file."""

    chain: str
    position: int
    mac: str
    count: int
    created_at: str
    key_id: str
    source: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "format": CHECKPOINT_FORMAT,
            "chain": self.chain,
            "position": self.position,
            "mac": self.mac,
            "count": self.count,
            "created_at": self.created_at,
            "key_id": self.key_id,
        }


class CheckpointError(ValueError):
    """A checkpoint file that is malformed, altered, or signed with another key."""


def sign_checkpoint(key: bytes, checkpoint: Checkpoint) -> dict[str, Any]:
    body = checkpoint.body()
    signature = hmac.new(_checkpoint_key(key), canonical_bytes(body), "sha256").hexdigest()
    return {**body, "signature": signature}


def parse_checkpoint(keys: bytes | KeyRing, text: str, source: str = "checkpoint") -> Checkpoint:
    """Read a checkpoint strictly: exact keys and types, a signature made with a known key
    (this server's, or a retired one for checkpoints made before a rotation)."""
    ring = _ring(keys)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise CheckpointError(f"{source}: not a JSON checkpoint") from None
    if not isinstance(data, dict) or set(data) != _CHECKPOINT_KEYS | {"signature"}:
        raise CheckpointError(f"{source}: not a Ketaclinic audit checkpoint")
    if data["format"] != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{source}: unknown format {str(data['format'])[:40]!r}")
    for name in ("position", "count"):
        if type(data[name]) is not int or data[name] < 0:
            raise CheckpointError(f"{source}: {name} must be a whole number")
    for name in ("chain", "mac", "created_at", "key_id", "signature"):
        if not isinstance(data[name], str):
            raise CheckpointError(f"{source}: {name} must be text")
    key = ring.by_id(data["key_id"])
    if key is None:
        raise CheckpointError(
            f"{source}: signed with audit key {data['key_id'][:16]!r}, "
            f"but this server's key is {ring.current_id!r} "
            "(and it is not in KETACLINIC_AUDIT_RETIRED_KEYS)"
        )
    checkpoint = Checkpoint(
        chain=data["chain"],
        position=data["position"],
        mac=data["mac"],
        count=data["count"],
        created_at=data["created_at"],
        key_id=data["key_id"],
        source=source,
    )
    expected = sign_checkpoint(key, checkpoint)["signature"]
    if not hmac.compare_digest(expected, data["signature"]):
        raise CheckpointError(f"{source}: signature does not match (the file was altered)")
    if checkpoint.count != checkpoint.position:
        raise CheckpointError(f"{source}: count and position disagree")
    return checkpoint


def verify_keyed_links(
    chain: str,
    keys: bytes | KeyRing,
    links: Iterable[KeyedLink],
    *,
    start_position: int = 0,
    start_mac: str = GENESIS_MAC,
    checkpoints: Iterable[Checkpoint] = (),
) -> tuple[ChainReport, int, str]:
    """Walk the chain from ``start_position + 1``; stop at the first altered or missing event.

    Returns the report with the head reached (position, mac). Every checkpoint past the start
    must be met on the way with the same MAC; one beyond the head means the chain was cut.
    """
    ring = _ring(keys)
    report = ChainReport(chain=chain)
    pending = sorted((c for c in checkpoints if c.position > start_position), key=_position)
    expected_position = start_position + 1
    previous = start_mac
    for link in links:
        if link.position != expected_position:
            return (
                report.fail(
                    expected_position,
                    f"event {expected_position} is missing (next present is {link.position})",
                ),
                expected_position - 1,
                previous,
            )
        if link.key_id is not None and ring.by_id(link.key_id) is None:
            return (
                report.fail(
                    link.position,
                    f"event {link.position} was chained with audit key {link.key_id[:16]!r}, "
                    "which is neither KETACLINIC_AUDIT_KEY nor in KETACLINIC_AUDIT_RETIRED_KEYS",
                ),
                expected_position - 1,
                previous,
            )
        computed = _matching_mac(ring, link, previous)
        if not hmac.compare_digest(computed, link.mac or ""):
            return (
                report.fail(
                    link.position,
                    "event content or MAC was altered after it was chained "
                    "(or the chain was re-computed without this server's key)",
                ),
                expected_position - 1,
                previous,
            )
        while pending and pending[0].position == link.position:
            checkpoint = pending.pop(0)
            if checkpoint.mac != computed:
                return (
                    report.fail(
                        link.position,
                        f"{checkpoint.source} records another MAC at this position "
                        "(the chain was rewritten after the checkpoint)",
                    ),
                    link.position,
                    computed,
                )
        previous = computed
        expected_position += 1
        report.checked += 1
    head = expected_position - 1
    if pending:
        checkpoint = pending[0]
        return (
            report.fail(
                head + 1,
                f"the chain ends at position {head} but {checkpoint.source} records "
                f"position {checkpoint.position} (events were removed from the end)",
            ),
            head,
            previous,
        )
    return report, head, previous


def _matching_mac(ring: KeyRing, link: KeyedLink, previous: str) -> str:
    """The MAC under the event's own key; an event from before keys were named (NULL key_id)
    may have been made with any key of the ring."""
    candidates = ring.all() if link.key_id is None else (ring.by_id(link.key_id),)
    computed = ""
    for key in candidates:
        computed = event_mac(key, previous, link.fields)
        if hmac.compare_digest(computed, link.mac or ""):
            break
    return computed


def _position(checkpoint: Checkpoint) -> int:
    return checkpoint.position
