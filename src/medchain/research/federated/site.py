"""A hospital's side of a compute licence, without Flower: its site file and the consent check.

A site file (JSON, kept at the hospital, never sent anywhere) names the hospital, the chain and the
ConsentRegistry to ask, the consent categories the task draws on, and the hospital's rows::

    {"hospital": "0x…", "chain": "http://127.0.0.1:8545", "consent": "0x…", "categories": 2,
     "patients": [{"address": "0x…", "x": [age, bmi, glucose], "y": 0}, …]}

Every round, :func:`consented_cohort` keeps only the rows of patients whose research consent for
the hospital (READ, RESEARCH, the categories) the ConsentRegistry permits in the latest block.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medchain.core.errors import InvalidInputError
from medchain.core.registry import check_address
from medchain.core.standards.consent_codes import Action, Purpose
from medchain.research.federated.model import FEATURES, Cohort

__all__ = ["Site", "consented_cohort", "write_site"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Site:
    hospital: str
    chain: str
    consent: str
    categories: int
    patients: tuple[str, ...]
    cohort: Cohort

    @classmethod
    def load(cls, path: str | Path) -> Site:
        """Read a site file.

        Raises:
            InvalidInputError: the file is missing, not JSON, or a field is wrong (named).
        """
        try:
            data = json.loads(Path(path).read_text())
            rows = data["patients"]
            x = np.array([r["x"] for r in rows], dtype=np.float64).reshape(len(rows), len(FEATURES))
            y = np.array([r["y"] for r in rows], dtype=np.float64)
            return cls(check_address(data["hospital"], "hospital"), str(data["chain"]), check_address(data["consent"], "consent"),
                       int(data["categories"]), tuple(check_address(r["address"], "patient") for r in rows), Cohort(x, y))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInputError(f"site file {path}: {type(exc).__name__}: {exc}") from None


def write_site(path: Path, *, hospital: str, chain: str, consent: str, categories: int,
               patients: list[str], cohort: Cohort) -> Path:
    """Write a site file (see the module's docstring)."""
    rows = [{"address": a, "x": [float(v) for v in cohort.x[i]], "y": int(cohort.y[i])} for i, a in enumerate(patients)]
    path.write_text(json.dumps({"hospital": hospital, "chain": chain, "consent": consent, "categories": categories,
                                "patients": rows}))
    return path


def consented_cohort(site: Site) -> Cohort:
    """The site's rows of patients whose research consent for the hospital is permitted now (on chain)."""
    from web3 import HTTPProvider, Web3

    from medchain.core.contracts import load_artifact

    w3 = Web3(HTTPProvider(site.chain, request_kwargs={"timeout": 30}))
    consent = w3.eth.contract(address=Web3.to_checksum_address(site.consent), abi=load_artifact("ConsentRegistry")["abi"])
    allowed = np.array([bool(consent.functions.isPermitted(p, site.hospital, site.categories, int(Purpose.RESEARCH),
                                                          int(Action.READ)).call()) for p in site.patients], dtype=bool)
    log.info("site %s: %d of %d patients consent", site.hospital, int(allowed.sum()), len(site.patients))
    return site.cohort.take(allowed) if len(site.patients) else site.cohort
