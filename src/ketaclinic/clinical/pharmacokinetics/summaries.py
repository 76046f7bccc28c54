"""Exposure summaries of concentration curves, computable chunk by chunk.

Per patient: Cmax and Tmax on the grid, AUC by the linear trapezoid (the usual
non-compartmental convention), and time above a threshold with linear interpolation between
grid points. Across patients: percentile bands over time. Bands are exact (NumPy's linear
percentile) while the population fits ``exact_limit_values``; beyond it they come from a
per-time-point log-spaced histogram whose bins are 0.5% wide, so a million patients need a
few megabytes instead of the whole N x T matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "BAND_PERCENTILES",
    "EXACT_LIMIT_VALUES",
    "BandAccumulator",
    "Exposure",
    "exposure",
    "time_above",
]

BAND_PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)

_LOG10_LOW = -4.0  # 0.0001 ng/mL: anything below is reported as 0
_LOG10_HIGH = 5.0  # 100,000 ng/mL: far above any anaesthetic concentration
_BINS = 4096  # bin width 9/4096 decades: 0.51% relative

_ROWS_PER_BLOCK = 16

EXACT_LIMIT_VALUES = 4_000_000
"""Up to this many concentrations (32 MB; e.g. 13,800 patients x 289 times) bands are exact."""


@dataclass(frozen=True, slots=True, eq=False)
class Exposure:
    """Per-patient exposure, one entry per patient."""

    cmax_ng_per_ml: np.ndarray
    tmax_h: np.ndarray
    auc_ng_h_per_ml: np.ndarray


def exposure(times_h: np.ndarray, concentration: np.ndarray) -> Exposure:
    """Cmax, Tmax (first time at Cmax) and trapezoidal AUC of ``concentration`` (T, patients).

    Walks the time rows (contiguous) rather than arg-maxing down columns: 2-3x faster.
    """
    cmax = concentration[0].copy()
    peak = np.zeros(concentration.shape[1], dtype=np.int64)
    for row in range(1, concentration.shape[0]):
        higher = concentration[row] > cmax
        peak[higher] = row
        np.maximum(cmax, concentration[row], out=cmax)
    steps = np.diff(times_h)
    weights = np.zeros(len(times_h))
    weights[:-1] += steps / 2.0
    weights[1:] += steps / 2.0
    auc = weights @ concentration
    return Exposure(cmax, np.asarray(times_h)[peak], auc)


def time_above(times_h: np.ndarray, concentration: np.ndarray, threshold: float) -> np.ndarray:
    """Hours each patient spends at or above ``threshold``, interpolating linearly.

    On a linear segment the share of time above is (high - threshold)/(high - low), clipped
    to 0-1; a flat segment counts whole if it is at or above the threshold. Works in blocks
    of rows so its temporaries stay in cache.
    """
    steps = np.diff(times_h)
    total = np.zeros(concentration.shape[1])
    for first in range(0, len(steps), _ROWS_PER_BLOCK):
        last = min(first + _ROWS_PER_BLOCK, len(steps))
        left, right = concentration[first:last], concentration[first + 1 : last + 1]
        high, low = np.maximum(left, right), np.minimum(left, right)
        flat = high <= low
        high -= threshold
        low -= threshold
        np.subtract(high, low, out=low)  # the span
        np.maximum(low, 1e-300, out=low)
        share = np.divide(high, low, out=low)
        np.clip(share, 0.0, 1.0, out=share)
        share[flat] = high[flat] >= 0
        total += steps[first:last] @ share
    return total


class BandAccumulator:
    """Percentile bands over time, fed one (T, patients) chunk at a time."""

    def __init__(self, n_times: int, exact_limit_values: int = EXACT_LIMIT_VALUES) -> None:
        self.n_times = n_times
        self.exact_limit_values = exact_limit_values
        self.count = 0
        self._chunks: list[np.ndarray] | None = []
        self._histogram: np.ndarray | None = None  # allocated when the exact path ends

    @property
    def exact(self) -> bool:
        return self._chunks is not None

    def add(self, concentration: np.ndarray) -> None:
        self.count += concentration.shape[1]
        if self._chunks is not None:
            if self.count * self.n_times <= self.exact_limit_values:
                self._chunks.append(concentration.copy())
                return
            stored, self._chunks = self._chunks, None
            for chunk in stored:
                self._bin(chunk)
        self._bin(concentration)

    def _bin(self, concentration: np.ndarray) -> None:
        # float32 logs are ample for 0.0022-decade bins and twice as fast; values below the
        # range (zeros included) land in bin 0, values above it in the last bin. Blocks of
        # rows keep the temporaries in cache.
        if self._histogram is None:
            self._histogram = np.zeros((self.n_times, _BINS + 2), dtype=np.int32)  # n < 2**31
        scale = np.float32(_BINS / (_LOG10_HIGH - _LOG10_LOW))
        for first in range(0, self.n_times, _ROWS_PER_BLOCK):
            last = min(first + _ROWS_PER_BLOCK, self.n_times)
            logs = np.maximum(concentration[first:last], 10.0**_LOG10_LOW / 2, dtype=np.float32)
            np.log10(logs, out=logs)
            logs -= np.float32(_LOG10_LOW)
            logs *= scale
            np.maximum(logs, -1.0, out=logs)
            logs += 1.0
            index = logs.astype(np.int64)
            np.minimum(index, _BINS + 1, out=index)
            index += np.arange(last - first, dtype=np.int64)[:, None] * (_BINS + 2)
            self._histogram[first:last] += np.bincount(
                index.ravel(), minlength=(last - first) * (_BINS + 2)
            ).reshape(last - first, _BINS + 2)

    def bands(self, percentiles: tuple[int, ...] = BAND_PERCENTILES) -> np.ndarray:
        """(len(percentiles), T) concentrations, in ng/mL."""
        if self._chunks is not None:
            exact: np.ndarray = np.percentile(
                np.concatenate(self._chunks, axis=1), percentiles, axis=1
            )
            return exact
        assert self._histogram is not None
        width = (_LOG10_HIGH - _LOG10_LOW) / _BINS
        cumulative = np.cumsum(self._histogram, axis=1)
        result = np.empty((len(percentiles), self.n_times))
        for row, q in enumerate(percentiles):
            rank = q / 100.0 * (self.count - 1)
            bin_index = np.argmax(cumulative > rank, axis=1)
            before = np.where(
                bin_index > 0,
                np.take_along_axis(cumulative, np.maximum(bin_index - 1, 0)[:, None], 1)[:, 0],
                0,
            )
            inside = np.take_along_axis(self._histogram, bin_index[:, None], 1)[:, 0]
            fraction = (rank - before + 0.5) / inside
            log_value = _LOG10_LOW + (bin_index - 1 + np.clip(fraction, 0.0, 1.0)) * width
            result[row] = np.where(bin_index == 0, 0.0, 10.0**log_value)
        return result
