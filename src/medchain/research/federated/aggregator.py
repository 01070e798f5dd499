"""The aggregator's Flower server (runs in the SuperLink's ServerApp process; needs ``flwr``).

FedAvg under SecAgg+: the aggregator learns the sum of the hospitals' weighted updates and each
hospital's row count, never one hospital's update. After each round it writes the round's record
(participants, row counts, the model's hash, and with differential privacy the privacy spent so far)
and the model to ``out-dir``, and waits until the
coordinator has recorded the round (``round-N.recorded`` appears) before the next round starts.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from flwr.common import Context, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.server import Grid, LegacyContext, ServerConfig
from flwr.server.strategy import DifferentialPrivacyClientSideFixedClipping, FedAvg, Strategy
from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow

from medchain.research.federated.model import epsilon, initial_parameters, model_hash

__all__ = ["Recording", "main"]


class Recording(Strategy):
    """Wraps a strategy: after each round's aggregation (and any DP noise), writes the round's record
    and model to ``out_dir`` and waits until the coordinator has recorded it."""

    def __init__(self, inner: Strategy, out_dir: str, barrier_timeout: float, privacy: tuple[float, float] | None = None):
        super().__init__()
        self.inner = inner
        self.out_dir = Path(out_dir) if out_dir else None
        self.barrier_timeout = barrier_timeout
        self.privacy = privacy  # (noise multiplier, delta) when differential privacy is on

    def initialize_parameters(self, client_manager: Any) -> Any:
        return self.inner.initialize_parameters(client_manager)

    def configure_fit(self, server_round: int, parameters: Any, client_manager: Any) -> Any:
        return self.inner.configure_fit(server_round, parameters, client_manager)

    def configure_evaluate(self, server_round: int, parameters: Any, client_manager: Any) -> Any:
        return self.inner.configure_evaluate(server_round, parameters, client_manager)

    def aggregate_evaluate(self, server_round: int, results: list[Any], failures: list[Any]) -> Any:
        return self.inner.aggregate_evaluate(server_round, results, failures)

    def evaluate(self, server_round: int, parameters: Any) -> Any:
        return self.inner.evaluate(server_round, parameters)

    def aggregate_fit(self, server_round: int, results: list[Any], failures: list[Any]) -> Any:
        parameters, metrics = self.inner.aggregate_fit(server_round, results, failures)
        if self.out_dir is None or parameters is None:
            return parameters, metrics
        params = parameters_to_ndarrays(parameters)
        participants = sorted((str(r.metrics["hospital"]), int(r.num_examples)) for _, r in results)
        record: dict[str, Any] = {
            "round": server_round, "participants": [{"hospital": h, "samples": n} for h, n in participants],
            "failures": len(failures), "modelHash": "0x" + model_hash(params).hex()}
        if self.privacy is not None:
            z, delta = self.privacy
            record.update(noiseMultiplier=z, delta=delta, epsilon=epsilon(z, server_round, delta))
        np.savez(self.out_dir / f"model-{server_round}.npz", *params)
        tmp = self.out_dir / f".round-{server_round}.json"
        tmp.write_text(json.dumps(record))
        tmp.replace(self.out_dir / f"round-{server_round}.json")  # appears whole
        done = self.out_dir / f"round-{server_round}.recorded"
        deadline = time.monotonic() + self.barrier_timeout
        while not done.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"round {server_round} was not recorded within {self.barrier_timeout:.0f} s")
            time.sleep(0.05)
        return parameters, metrics


def main(grid: Grid, context: Context) -> None:
    rc = context.run_config
    if rc["out-dir"]:  # the ServerApp runs in a process of its own: its log goes beside the rounds
        handler = logging.FileHandler(Path(str(rc["out-dir"])) / "aggregator.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logging.getLogger("flwr").addHandler(handler)
    hospitals = int(rc["min-hospitals"])
    strategy: Strategy = FedAvg(fraction_fit=1.0, fraction_evaluate=0.0, min_fit_clients=hospitals,
                                min_available_clients=hospitals, initial_parameters=ndarrays_to_parameters(initial_parameters()))
    privacy = None
    if float(rc["noise-multiplier"]) > 0:  # hospital-level DP: each update clipped at the hospital, noise added here
        z = float(rc["noise-multiplier"])
        strategy = DifferentialPrivacyClientSideFixedClipping(strategy, noise_multiplier=z,
                                                              clipping_norm=float(rc["clipping-norm"]),
                                                              num_sampled_clients=hospitals)
        privacy = (z, float(rc["delta"]))
    strategy = Recording(strategy, str(rc["out-dir"]), float(rc["barrier-timeout"]), privacy)
    legacy = LegacyContext(context=context, config=ServerConfig(num_rounds=int(rc["num-server-rounds"])), strategy=strategy)
    fit = SecAggPlusWorkflow(num_shares=int(rc["num-shares"]), reconstruction_threshold=int(rc["reconstruction-threshold"]),
                             max_weight=float(rc["max-weight"]), timeout=float(rc["stage-timeout"]))
    DefaultWorkflow(fit_workflow=fit)(grid, legacy)
