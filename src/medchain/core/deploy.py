"""Deployment of the whole suite in dependency order, recorded in a manifest.

The manifest ``deployments/<chain-id>.json`` holds, per contract, its address, deployment block,
transaction hash, artifact hash and deployer. Deploying again on the same chain reuses every
contract whose code matches the compiled artifact; a contract whose code differs is an error
naming it. The embedded chain lives in memory, so its manifest is not written to disk.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract

from medchain.core.chain import Chain
from medchain.core.contracts import artifact_hash, contract_at, load_artifact, runtime_matches
from medchain.core.errors import DeploymentError, WrongChainError
from medchain.core.tx import Receipt, Sender

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class ContractSpec:
    """One contract of the suite: its name and how to build its constructor arguments.

    ``args`` receives the addresses deployed so far and the governance address.
    """

    name: str
    args: Callable[[dict[str, str], str], list[Any]]


#: The suite in dependency order. Each domain contract depends on the registry (and on other
#: domains only through their interfaces).
SUITE: list[ContractSpec] = [
    ContractSpec("ParticipantRegistry", lambda a, gov: [gov]),
    ContractSpec("SettlementToken", lambda a, gov: [gov]),
    ContractSpec("ConsentRegistry", lambda a, gov: [a["ParticipantRegistry"]]),
    ContractSpec("RecordRegistry", lambda a, gov: [a["ParticipantRegistry"], a["ConsentRegistry"]]),
    ContractSpec("DrugBatchTracing", lambda a, gov: [a["ParticipantRegistry"]]),
    ContractSpec("ResearchDataLicensing",
                 lambda a, gov: [a["ParticipantRegistry"], a["ConsentRegistry"], a["SettlementToken"]]),
    ContractSpec("AttestationTree", lambda a, gov: [a["ParticipantRegistry"]]),
    ContractSpec("EligibilityVerifier", lambda a, gov: []),
    ContractSpec("ClinicalTrialRegistry",
                 lambda a, gov: [a["ParticipantRegistry"], a["AttestationTree"], a["EligibilityVerifier"]]),
    ContractSpec("ClaimAdjudication",
                 lambda a, gov: [a["ParticipantRegistry"], a["ConsentRegistry"], a["SettlementToken"]]),
]


@dataclass
class Suite:
    """The deployed contracts of one chain, with typed handles by name."""

    chain: Chain
    manifest: dict[str, Any]
    path: Path | None = None
    _handles: dict[str, Contract] = field(default_factory=dict)

    def address(self, name: str) -> str:
        try:
            return self.manifest["contracts"][name]["address"]
        except KeyError:
            raise DeploymentError(f"{name} is not deployed on chain {self.chain.chain_id}; run `medchain deploy`") from None

    def contract(self, name: str) -> Contract:
        """The web3 contract handle of ``name``."""
        if name not in self._handles:
            self._handles[name] = contract_at(self.chain.w3, name, self.address(name))
        return self._handles[name]

    @property
    def governance(self) -> str:
        return self.manifest["governance"]


@dataclass
class DeployReport:
    suite: Suite
    deployed: list[str]
    reused: list[str]
    receipts: dict[str, Receipt]


def manifest_path(chain: Chain, directory: Path | str = "deployments") -> Path | None:
    """Where the manifest of ``chain`` lives (``None`` for the in-memory embedded chain)."""
    if chain.kind == "embedded":
        return None
    return Path(directory) / f"{chain.chain_id}.json"


def deploy(chain: Chain, sender: Sender, *, directory: Path | str = "deployments", governance: str | None = None,
           fresh: bool = False, progress: Callable[[str], None] = lambda _: None) -> DeployReport:
    """Deploy (or reuse) every contract of the suite and write the manifest.

    Args:
        chain: The chain.
        sender: The deployer.
        directory: Where manifests are kept.
        governance: The registry's governance account (default: the deployer).
        fresh: Ignore an existing manifest and deploy everything anew.
        progress: Called with a line per contract.

    Returns:
        What was deployed and what was reused.

    Raises:
        DeploymentError: a contract recorded in the manifest has other code on chain.
        WrongChainError: the manifest at the expected path belongs to another chain.
    """
    path = manifest_path(chain, directory)
    old = _read(path, chain) if path is not None and path.exists() and not fresh else None
    gov = Web3.to_checksum_address(governance or sender.address)
    manifest: dict[str, Any] = {"version": MANIFEST_VERSION, "chainId": chain.chain_id, "chain": chain.kind,
                                "deployer": sender.address, "governance": gov, "contracts": {}}
    addresses: dict[str, str] = {}
    deployed: list[str] = []
    reused: list[str] = []
    receipts: dict[str, Receipt] = {}
    for spec in SUITE:
        entry = (old or {}).get("contracts", {}).get(spec.name)
        if old is not None and entry is not None and not deployed:
            code = chain.w3.eth.get_code(entry["address"])
            if len(code) > 0:
                if not runtime_matches(spec.name, bytes(code)):
                    raise DeploymentError(
                        f"{spec.name} at {entry['address']} on chain {chain.chain_id} differs from the compiled "
                        f"artifact; run `medchain deploy --fresh` to deploy a new suite")
                manifest["contracts"][spec.name] = entry
                manifest["governance"] = old["governance"]
                addresses[spec.name] = entry["address"]
                reused.append(spec.name)
                progress(f"{spec.name}: reused at {entry['address']}")
                continue
            progress(f"{spec.name}: no code at {entry['address']} any more (a new chain?); deploying")
        art = load_artifact(spec.name)
        receipt = sender.deploy(art["bytecode"], art["abi"], *spec.args(addresses, manifest["governance"]))
        if receipt.contract_address is None:
            raise DeploymentError(f"deploying {spec.name} created no contract (transaction {receipt.tx_hash})")
        address = Web3.to_checksum_address(receipt.contract_address)
        addresses[spec.name] = address
        receipts[spec.name] = receipt
        manifest["contracts"][spec.name] = {"address": address, "block": receipt.block_number,
                                            "txHash": receipt.tx_hash, "artifactHash": artifact_hash(spec.name),
                                            "deployer": sender.address, "gasUsed": receipt.gas_used}
        deployed.append(spec.name)
        progress(f"{spec.name}: deployed at {address} (block {receipt.block_number}, gas {receipt.gas_used})")
    if path is not None and deployed:
        manifest["updatedAt"] = int(time.time())
        _write(path, manifest)
    return DeployReport(Suite(chain, manifest, path), deployed, reused, receipts)


def load_suite(chain: Chain, *, directory: Path | str = "deployments", path: Path | str | None = None) -> Suite:
    """Open the deployed suite of ``chain`` from its manifest.

    Raises:
        DeploymentError: no manifest, or a recorded contract has no code on this chain.
        WrongChainError: the manifest was written for another chain id.
    """
    file = Path(path) if path is not None else manifest_path(chain, directory)
    if file is None:
        raise DeploymentError("the embedded chain lives in memory: deploy in the same process (`medchain demo`), "
                              "or start a node with `medchain node anvil` and use --chain URL")
    if not file.exists():
        raise DeploymentError(f"no deployment manifest at {file}; run `medchain deploy` on this chain first")
    manifest = _read(file, chain)
    for name, entry in manifest["contracts"].items():
        try:
            entry["address"] = Web3.to_checksum_address(entry["address"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DeploymentError(f"{name} of manifest {file} has no valid address ({exc.__class__.__name__})") from None
        if len(chain.w3.eth.get_code(entry["address"])) == 0:
            raise DeploymentError(f"{name} of manifest {file} has no code at {entry['address']} on this chain; "
                                  "run `medchain deploy` again")
    return Suite(chain, manifest, file)


def _read(path: Path, chain: Chain) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DeploymentError(f"manifest {path} is unreadable ({exc.__class__.__name__})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("contracts"), dict):
        raise DeploymentError(f"manifest {path} is not a MedChain deployment manifest (no contracts object)")
    if manifest.get("chainId") != chain.chain_id:
        raise WrongChainError(f"manifest {path} is for chain id {manifest.get('chainId')}, "
                              f"but the node at {chain.endpoint} is chain id {chain.chain_id}")
    return manifest


def _write(path: Path, manifest: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
