"""The ledger's batched append refuses a history whose balances do not run as entries would,
counting from each container's last balance in the chain (so a history can come in batches)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ketaclinic.apps.ledger.appending import append_batch
from ketaclinic.clinical.exceptions import InputError, OutOfRange


def _entry(container_id: int, delta: int, balance_after: int, site_id: int = 1):
    return SimpleNamespace(
        site_id=site_id, container_id=container_id, delta=delta, balance_after=balance_after
    )


def test_a_balance_that_does_not_follow_from_the_deltas_is_refused_before_anything_is_written(
    db,
):
    history = [_entry(7, 10, 10), _entry(7, -3, 7), _entry(7, -2, 6)]
    with pytest.raises(OutOfRange, match=r"entries\[2\]\.balance_after"):
        append_batch(1, history)


def test_a_balance_below_zero_is_refused(db):
    with pytest.raises(OutOfRange, match=r"entries\[0\]"):
        append_batch(1, [_entry(7, -1, -1)])


def test_an_entry_of_another_site_is_refused():
    with pytest.raises(InputError, match=r"entries\[0\]\.site"):
        append_batch(1, [_entry(7, 5, 5, site_id=2)])


def test_a_container_already_in_the_chain_continues_from_its_last_balance(receive):
    (vial,) = receive("k10")  # its receipt: 20,000 µL on hand
    site = vial.site_id
    with pytest.raises(OutOfRange, match=r"would be 19000"):
        append_batch(site, [_entry(vial.pk, -1000, -1000, site)])
    with pytest.raises(OutOfRange, match=r"entries\[1\].*would be 18500"):
        append_batch(site, [_entry(vial.pk, -1000, 19000, site), _entry(vial.pk, -500, 1, site)])
