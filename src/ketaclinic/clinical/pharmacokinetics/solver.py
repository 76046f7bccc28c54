"""Exact solution of batched linear compartment models on a caller's time grid.

Every model in the catalogue is linear with piecewise-constant inputs (boluses and zero-order
infusions), so its solution is exact: between two event or output times the state moves by
the matrix exponential, and a constant input adds its exact integral. We step in each
patient's *modal* coordinates (the eigenvectors of ``A``), where the exponential is a
per-mode scalar: a step costs a few vector operations over the batch instead of an ODE
solve per patient, which is what makes a million virtual patients cheap. Patients whose
matrix is (nearly) defective, e.g. an absorption rate equal to a disposition rate, fall back
to dense zero-order-hold stepping with ``expm`` of the augmented matrix, still exact.

``scipy.integrate.solve_ivp`` is the tests' oracle for this module, never its engine.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import reduce

import numpy as np
from scipy.linalg import expm

from ketaclinic.clinical.pharmacokinetics.models import Input, SystemArrays

__all__ = ["Input", "solve"]

# Above this eigenvector condition number (Frobenius), modal stepping could lose more than
# about 1e-8 relative accuracy, so those patients use the dense exponential instead.
_MAX_MODAL_CONDITION = 1e8


def solve(
    system: SystemArrays,
    inputs: Sequence[Input],
    times_h: np.ndarray,
    batch: int,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Concentrations (ng/mL) at ``times_h`` for ``batch`` patients, shaped (T, outputs, B).

    The state is zero before the earliest input or output time. An output at the same time
    as a bolus includes that bolus. ``out``, if given, receives the result (reusing one
    buffer across chunks spares the page faults of a fresh array).
    """
    matrix = system.matrix_per_h
    if matrix.shape[0] > 1 and np.all(matrix == matrix[:1]):
        matrix = matrix[:1]
    observe = system.observe
    lam, vec, vinv = _eigen(matrix)
    with np.errstate(invalid="ignore", over="ignore"):
        condition = np.linalg.norm(vec, axis=(1, 2)) * np.linalg.norm(vinv, axis=(1, 2))
    dense = np.any(lam.imag != 0, axis=1) | ~(condition < _MAX_MODAL_CONDITION)
    shape = (len(times_h), observe.shape[1], batch)
    result = np.empty(shape) if out is None else out
    if not dense.any():
        _march(_Modal(lam.real, vec.real, vinv.real, observe), inputs, times_h, batch, result)
    elif matrix.shape[0] == 1:
        _march(_Dense(matrix, observe), inputs, times_h, batch, result)
    else:
        for mask in (dense, ~dense):
            idx = np.flatnonzero(mask)
            if not idx.size:
                continue
            if mask is dense:
                propagator: _Modal | _Dense = _Dense(matrix[idx], _take(observe, idx))
            else:
                propagator = _Modal(
                    lam[idx].real, vec[idx].real, vinv[idx].real, _take(observe, idx)
                )
            subset = [
                Input(i.state, i.start_h, i.duration_h, _take(i.amount_mg, idx)) for i in inputs
            ]
            part = np.empty((shape[0], shape[1], idx.size))
            _march(propagator, subset, times_h, idx.size, part)
            result[:, :, idx] = part
    return result


def _eigen(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues, eigenvectors and their inverse; closed form for a batch of 2x2."""
    if matrix.shape[1] != 2 or matrix.shape[0] == 1:
        lam, vec = np.linalg.eig(matrix)
        with np.errstate(all="ignore"):
            try:
                vinv = np.linalg.inv(vec)
            except np.linalg.LinAlgError:
                vinv = np.full_like(vec, np.inf)
        return lam, vec, vinv
    a, b, c, d = matrix[:, 0, 0], matrix[:, 0, 1], matrix[:, 1, 0], matrix[:, 1, 1]
    half_trace = (a + d) / 2
    discriminant = ((a - d) / 2) ** 2 + b * c
    root = np.sqrt(np.abs(discriminant)) * np.where(discriminant < 0, 1j, 1.0)
    lam = np.stack([half_trace + root, half_trace - root], axis=1)
    vec = np.empty(matrix.shape, dtype=complex)
    use_b = np.abs(b) >= np.abs(c)
    for k in range(2):
        vec[:, 0, k] = np.where(use_b, b, lam[:, k] - d)
        vec[:, 1, k] = np.where(use_b, lam[:, k] - a, c)
    norm = np.linalg.norm(vec, axis=1, keepdims=True)
    vec = vec / np.where(norm == 0, 1.0, norm)
    det = vec[:, 0, 0] * vec[:, 1, 1] - vec[:, 0, 1] * vec[:, 1, 0]
    singular = np.abs(det) < 1e-300
    safe = np.where(singular, 1.0, det)
    vinv = np.empty_like(vec)
    vinv[:, 0, 0], vinv[:, 1, 1] = vec[:, 1, 1] / safe, vec[:, 0, 0] / safe
    vinv[:, 0, 1], vinv[:, 1, 0] = -vec[:, 0, 1] / safe, -vec[:, 1, 0] / safe
    vinv[singular] = np.inf
    return lam, vec, vinv


def _take(array: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return array if array.shape[0] == 1 else array[idx]


class _Modal:
    """Modal coordinates scaled by each output's weight: y[o, k] = w[o, k] (V^-1 x)[k].

    Each mode decays as exp(lambda_k h) and an output is the plain sum of its modes, so a
    step is a multiply, an optional multiply-add and a sum over a few contiguous rows.
    """

    def __init__(
        self, lam: np.ndarray, vec: np.ndarray, vinv: np.ndarray, observe: np.ndarray
    ) -> None:
        self.lam = np.ascontiguousarray(lam.T)  # (n, B|1)
        self.vinv = vinv
        self.weights = np.transpose(observe @ vec, (1, 2, 0))  # (m, n, B|1)
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def zeros(self, batch: int) -> np.ndarray:
        return np.zeros((*self.weights.shape[:2], batch))

    def direction(self, state: int, amount: np.ndarray) -> np.ndarray:
        direction: np.ndarray = self.weights * (self.vinv[:, :, state].T * amount)[None, :, :]
        return direction

    def _factors(self, h: float) -> tuple[np.ndarray, np.ndarray]:
        key = round(h * 1e9)
        if key not in self._cache:
            lh = self.lam * h
            small = lh == 0
            gain = np.where(small, h, np.expm1(lh) / np.where(small, 1.0, self.lam))
            self._cache[key] = (np.exp(lh)[None], gain[None])
        return self._cache[key]

    def step(self, y: np.ndarray, h: float, rate: np.ndarray | None) -> np.ndarray:
        decay, gain = self._factors(h)
        y *= decay
        if rate is not None:
            y += gain * rate
        return y

    def observe(self, y: np.ndarray, out: np.ndarray) -> None:
        np.sum(y, axis=1, out=out)
        np.maximum(out, 0.0, out=out)  # modes cancel to about -1e-14 before absorption


class _Dense:
    """Zero-order-hold stepping with the full exponential: exact, slower, always defined."""

    def __init__(self, matrix: np.ndarray, observe: np.ndarray) -> None:
        self.matrix = matrix
        self.observe_matrix = observe
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def zeros(self, batch: int) -> np.ndarray:
        return np.zeros((batch, self.matrix.shape[1]))

    def direction(self, state: int, amount: np.ndarray) -> np.ndarray:
        vector = np.zeros((amount.shape[0], self.matrix.shape[1]))
        vector[:, state] = amount
        return vector

    def _factors(self, h: float) -> tuple[np.ndarray, np.ndarray]:
        key = round(h * 1e9)
        if key not in self._cache:
            batch, n, _ = self.matrix.shape
            augmented = np.zeros((batch, 2 * n, 2 * n))
            augmented[:, :n, :n] = self.matrix * h
            augmented[:, :n, n:] = np.eye(n) * h
            exponential = expm(augmented)
            self._cache[key] = (exponential[:, :n, :n], exponential[:, :n, n:])
        return self._cache[key]

    def step(self, x: np.ndarray, h: float, rate: np.ndarray | None) -> np.ndarray:
        phi, gamma = self._factors(h)
        x = (phi @ x[:, :, None])[:, :, 0]
        if rate is not None:
            x += (gamma @ rate[:, :, None])[:, :, 0]
        return x

    def observe(self, x: np.ndarray, out: np.ndarray) -> None:
        out[...] = (self.observe_matrix @ x[:, :, None])[:, :, 0].T


def _march(
    propagator: _Modal | _Dense,
    inputs: Sequence[Input],
    times_h: np.ndarray,
    batch: int,
    result: np.ndarray,
) -> None:
    boluses = [i for i in inputs if i.duration_h == 0]
    infusions = [i for i in inputs if i.duration_h > 0]
    events = [i.start_h for i in inputs] + [i.start_h + i.duration_h for i in infusions]
    points = np.unique(np.concatenate([np.asarray(times_h, dtype=float), events]))
    points = points[points <= times_h[-1]]  # nothing after the last output can change it
    is_output = np.isin(points, times_h)
    directions = {
        id(i): propagator.direction(i.state, np.broadcast_to(i.amount_mg, (batch,))) for i in inputs
    }
    rates: dict[tuple[int, ...], np.ndarray | None] = {}
    state = propagator.zeros(batch)
    active: tuple[int, ...] = ()
    previous = points[0]
    written = 0
    for index, point in enumerate(points):
        if index:
            state = propagator.step(state, point - previous, rates[active])
        for bolus in boluses:
            if bolus.start_h == point:
                state += directions[id(bolus)]
        active = tuple(
            k for k, i in enumerate(infusions) if i.start_h <= point < i.start_h + i.duration_h
        )
        if active not in rates:
            rates[active] = (
                reduce(
                    operator.add,
                    (directions[id(infusions[k])] / infusions[k].duration_h for k in active),
                )
                if active
                else None
            )
        if is_output[index]:
            propagator.observe(state, result[written])
            written += 1
        previous = point
