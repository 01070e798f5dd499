"""The model trained by compute licences: logistic regression for HbA1c >= 6.5 % (diabetes range)
from age, BMI and fasting plasma glucose, in numpy, and the synthetic cohorts it is tested on.

The parameters travel as a list of numpy arrays ``[weights (3,), bias (1,)]`` (Flower's NDArrays).
Features are standardised with fixed, published constants (not fitted per hospital), so every
hospital and the central baseline use the same scale and nothing about a site's cohort leaks
through the scaling.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["FEATURES", "Cohort", "accuracy", "epsilon", "initial_parameters", "model_hash", "synthetic_cohort", "train"]

#: feature order of a row, and the fixed standardisation (mean, standard deviation) of each
FEATURES = ("age_years", "bmi", "fasting_glucose_mmol_l")
_MEAN = np.array([55.0, 28.0, 6.0])
_STD = np.array([15.0, 5.0, 1.5])
HBA1C_THRESHOLD = 6.5

Params = list[NDArray[np.float64]]


@dataclass(frozen=True)
class Cohort:
    """Rows of one site: ``x`` (n, 3) raw features in :data:`FEATURES` order, ``y`` (n,) 0/1 labels."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def take(self, mask: NDArray[np.bool_]) -> Cohort:
        return Cohort(self.x[mask], self.y[mask])


def synthetic_cohort(n: int, seed: int) -> Cohort:
    """``n`` synthetic patients: HbA1c follows fasting glucose, BMI and age with noise; label HbA1c >= 6.5."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 90, n)
    bmi = rng.normal(28, 5, n).clip(16, 50)
    glucose = (4.6 + 0.045 * (bmi - 25) + 0.012 * (age - 50) + rng.gamma(2.0, 0.55, n)).clip(3.5, 15)
    hba1c = 2.45 + 0.62 * glucose + 0.01 * (age - 50) + 0.02 * (bmi - 28) + rng.normal(0, 0.35, n)
    return Cohort(np.column_stack([age, bmi, glucose]), (hba1c >= HBA1C_THRESHOLD).astype(np.float64))


def initial_parameters() -> Params:
    return [np.zeros(len(FEATURES)), np.zeros(1)]


def _logits(params: Params, x: NDArray[np.float64]) -> NDArray[np.float64]:
    return ((x - _MEAN) / _STD) @ params[0] + params[1][0]


def train(params: Params, cohort: Cohort, *, epochs: int = 20, learning_rate: float = 0.5) -> Params:
    """Full-batch gradient descent on the log loss, from ``params``; returns new parameters."""
    w, b = params[0].astype(np.float64).copy(), float(params[1][0])
    if len(cohort) == 0:
        return [w, np.array([b])]
    z = (cohort.x - _MEAN) / _STD
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        err = p - cohort.y
        w -= learning_rate * (z.T @ err) / len(cohort)
        b -= learning_rate * float(err.mean())
    return [w, np.array([b])]


def accuracy(params: Params, cohort: Cohort) -> float:
    """Share of ``cohort`` classified right (threshold 0.5)."""
    return float(((_logits(params, cohort.x) >= 0).astype(np.float64) == cohort.y).mean())


def model_hash(params: Params) -> bytes:
    """SHA-256 of the parameters as little-endian float64, in order: what the chain records per round."""
    h = hashlib.sha256()
    for a in params:
        h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
    return h.digest()


def epsilon(noise_multiplier: float, rounds: int, delta: float) -> float:
    """The (epsilon, ``delta``) privacy spent by ``rounds`` rounds of the Gaussian mechanism with
    ``noise_multiplier`` z, at the level of one hospital's update (each clipped to the clipping norm
    C at the hospital; the aggregate of n hospitals gets noise of standard deviation z*C/n, Flower's
    ``DifferentialPrivacyClientSideFixedClipping``). Every hospital takes part in every round (no
    sampling amplification). Each round is 1/(2 z^2)-zCDP, rounds compose by adding, and
    rho-zCDP implies (rho + 2 sqrt(rho ln(1/delta)), delta)-DP (Bun and Steinke, 2016).

    Raises:
        ValueError: z <= 0, rounds < 0, or delta not in (0, 1).
    """
    if noise_multiplier <= 0 or rounds < 0 or not 0 < delta < 1:
        raise ValueError(f"need z > 0, rounds >= 0 and 0 < delta < 1, not {noise_multiplier}, {rounds}, {delta}")
    rho = rounds / (2 * noise_multiplier**2)
    return rho + 2 * math.sqrt(rho * math.log(1 / delta))
