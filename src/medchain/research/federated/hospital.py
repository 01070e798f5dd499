"""The hospital's Flower client (runs in the SuperNode's ClientApp process; needs ``flwr``).

Each ``fit`` asks the chain which patients consent now, trains on those rows only, and returns the
new parameters (which SecAgg+ masks before they leave) with the number of rows used.
"""

from __future__ import annotations

from typing import Any

from flwr.client import Client, NumPyClient
from flwr.client.mod import fixedclipping_mod
from flwr.common import Context, Message, MessageType

from medchain.research.federated.model import accuracy, train
from medchain.research.federated.site import Site, consented_cohort

__all__ = ["HospitalClient", "client_fn", "clipping_mod"]


class HospitalClient(NumPyClient):
    def __init__(self, site: Site, epochs: int, learning_rate: float):
        self.site, self.epochs, self.learning_rate = site, epochs, learning_rate

    def fit(self, parameters: list[Any], config: dict[str, Any]) -> tuple[list[Any], int, dict[str, Any]]:
        cohort = consented_cohort(self.site)
        params = train(parameters, cohort, epochs=self.epochs, learning_rate=self.learning_rate)
        return params, len(cohort), {"hospital": self.site.hospital}

    def evaluate(self, parameters: list[Any], config: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
        cohort = consented_cohort(self.site)
        return 0.0, len(cohort), {"accuracy": accuracy(parameters, cohort) if len(cohort) else 0.0}


def client_fn(context: Context) -> Client:
    site = Site.load(str(context.node_config["site"]))
    rc = context.run_config
    return HospitalClient(site, int(rc["local-epochs"]), float(rc["learning-rate"])).to_client()


def clipping_mod(msg: Message, ctxt: Context, call_next: Any) -> Message:
    """Flower's ``fixedclipping_mod`` when the aggregator asks for clipping (differential privacy on),
    else nothing: the same app runs with and without DP."""
    if msg.metadata.message_type == MessageType.TRAIN:
        for record in msg.content.config_records.values():
            if "clipping_norm" in record:
                return fixedclipping_mod(msg, ctxt, call_next)
    return call_next(msg, ctxt)
