"""Federated training for compute licences: the model, the hospital's site, and the Flower federation.

Only :mod:`~medchain.research.federated.hospital` and :mod:`~medchain.research.federated.aggregator`
import Flower; they run inside Flower's processes (``.venv-flower``, ``make flower``). Everything here
imports without it.
"""

from medchain.research.federated.federation import Federation, FederationError, RoundRecord, flower_bin
from medchain.research.federated.model import Cohort, accuracy, initial_parameters, model_hash, synthetic_cohort, train
from medchain.research.federated.site import Site, consented_cohort, write_site

__all__ = ["Cohort", "Federation", "FederationError", "RoundRecord", "Site", "accuracy", "consented_cohort",
           "flower_bin", "initial_parameters", "model_hash", "synthetic_cohort", "train", "write_site"]
