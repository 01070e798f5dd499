"""Compute licences, the engine: real Flower processes (a SuperLink, one SuperNode per hospital)
train on consented rows only, under SecAgg+, each round released by the coordinator."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from medchain import cli as cli_module
from medchain.bench.research import bench_patients, enlist_patients
from medchain.core.tx import Sender
from medchain.research.federated.federation import Federation, FederationError, flower_bin
from medchain.research.federated.model import (
    Cohort,
    accuracy,
    epsilon,
    initial_parameters,
    model_hash,
    synthetic_cohort,
    train,
)
from medchain.research.federated.site import write_site

from .conftest import LAB

HOSPITALS = ("hospital_a", "hospital_b", "hospital_c")
PER_SITE = 40


@pytest.fixture(scope="module")
def flower():
    try:
        return flower_bin()
    except FederationError as exc:
        pytest.skip(str(exc))


@pytest.fixture
def sites(world, tmp_path):
    if world.chain.kind == "embedded":
        pytest.skip("SuperNodes are other processes: they reach the chain over HTTP (Anvil)")
    url = world.chain.w3.provider.endpoint_uri
    consent = world.suite.address("ConsentRegistry")
    out = {}
    for i, hospital in enumerate(HOSPITALS):
        accounts = bench_patients(PER_SITE, offset=7000 + i * PER_SITE)
        enlist_patients(world, accounts, world.address(hospital))
        cohort = synthetic_cohort(PER_SITE, seed=i)
        out[hospital] = (accounts, write_site(tmp_path / f"{hospital}.json", hospital=world.address(hospital), chain=url,
                                             consent=consent, categories=LAB, patients=[a.address for a in accounts],
                                             cohort=cohort))
    return out


def test_each_round_counts_only_the_patients_who_consent_then(world, flower, sites, tmp_path):
    leaver = sites["hospital_b"][0][0]

    def on_round(record):
        if record.round == 1:  # between rounds 1 and 2, one patient of hospital B revokes
            consent = world.suite.contract("ConsentRegistry")
            Sender(world.chain, leaver).transact(consent.functions.revoke(world.address("hospital_b")))

    with Federation(tmp_path / "fed", [s for _, s in sites.values()], flower) as fed:
        rounds = fed.run(rounds=2, on_round=on_round)
    everyone = {world.address(h): PER_SITE for h in HOSPITALS}
    assert [dict(r.participants) for r in rounds] == [everyone, {**everyone, world.address("hospital_b"): PER_SITE - 1}]


def test_the_federated_model_is_as_good_as_the_central_one(world, flower, sites, tmp_path):
    with Federation(tmp_path / "fed", [s for _, s in sites.values()], flower) as fed:
        (*_, last) = fed.run(rounds=3)
    with np.load(last.model_path) as npz:
        federated = [npz["arr_0"], npz["arr_1"]]
    assert model_hash(federated) == last.model_hash
    pooled = [synthetic_cohort(PER_SITE, seed=i) for i in range(len(HOSPITALS))]
    central = train(initial_parameters(), Cohort(np.vstack([c.x for c in pooled]), np.concatenate([c.y for c in pooled])),
                    epochs=3 * 20)
    held_out = synthetic_cohort(2000, seed=99)
    fed_acc, central_acc = accuracy(federated, held_out), accuracy(central, held_out)
    assert fed_acc > 0.8 and abs(fed_acc - central_acc) < 0.05, (fed_acc, central_acc)


def _kill_on_message(fed, site_index, nth):
    """Kill a SuperNode as it receives its ``nth`` message (SecAgg+ sends four a round, one per stage)."""
    log = fed.workdir / f"supernode-{site_index}.log"

    def watch():
        while log.read_text(errors="replace").count("Receiving: train message") < nth:
            time.sleep(0.05)
        fed.kill(site_index)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_round_completes_without_a_hospital_whose_node_died_mid_round(world, flower, sites, tmp_path):
    with Federation(tmp_path / "fed", [s for _, s in sites.values()], flower) as fed:
        # hospital C dies in round 2 as it is asked for its masked update (stage 2), its key shares given
        watcher = _kill_on_message(fed, 2, 4 + 3)
        rounds = fed.run(rounds=2, min_hospitals=2, config={"stage-timeout": 15.0})
        watcher.join(timeout=1)
    assert len(rounds[0].participants) == 3 and rounds[1].failures == 0
    assert dict(rounds[1].participants) == {world.address("hospital_a"): PER_SITE, world.address("hospital_b"): PER_SITE}


def _cli(capsys, *args):
    with pytest.raises(SystemExit) as info:
        cli_module.main(list(args))
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_compute_train_prints_each_round_and_writes_the_model(world, flower, sites, tmp_path, capsys):
    out = tmp_path / "model.npz"
    code, text, _ = _cli(capsys, "research", "compute", "train", *(str(s) for _, s in sites.values()), "--rounds", "1",
                         "--out", str(out))
    assert code == 0
    (line,) = [x for x in text.splitlines() if x.startswith("round ")]
    assert line.startswith(f"round 1: 3 hospital(s), {3 * PER_SITE} row(s), model 0x")
    with np.load(out) as npz:
        assert "0x" + model_hash([npz["arr_0"], npz["arr_1"]]).hex() == line.rsplit(" ", 1)[1]


def test_a_bad_site_file_is_refused_before_any_process_starts(tmp_path, capsys):
    bad = tmp_path / "site.json"
    bad.write_text('{"hospital": "0x12", "patients": []}')
    code, _, err = _cli(capsys, "research", "compute", "train", str(bad))
    assert code == 1 and err.startswith(f"error: site file {bad}: ") and len(err.strip().splitlines()) == 1


def test_a_node_needs_a_superlink_address_with_a_port(world, sites, capsys):
    code, _, err = _cli(capsys, "research", "compute", "node", str(sites["hospital_a"][1]), "--superlink", "nowhere")
    assert (code, err.strip()) == (1, "error: --superlink must be host:port, not 'nowhere'")


def test_with_differential_privacy_each_round_states_the_privacy_spent(world, flower, sites, tmp_path):
    with Federation(tmp_path / "fed", [s for _, s in sites.values()], flower) as fed:
        rounds = fed.run(rounds=2, config={"noise-multiplier": 1.0, "clipping-norm": 2.0, "delta": 1e-5})
    assert [r.epsilon for r in rounds] == [epsilon(1.0, 1, 1e-5), epsilon(1.0, 2, 1e-5)]
    assert "central DP noise with 0.6667 stdev added" in (fed.out_dir / "aggregator.log").read_text()


def test_epsilon_is_the_zcdp_bound_of_the_gaussian_mechanism():
    assert epsilon(1.0, 1, 1e-5) == pytest.approx(0.5 + 2 * (0.5 * np.log(1e5)) ** 0.5)
    assert epsilon(1.0, 4, 1e-5) > epsilon(1.0, 2, 1e-5) > epsilon(2.0, 2, 1e-5)
    for bad in ((0.0, 1, 1e-5), (1.0, -1, 1e-5), (1.0, 1, 1.0)):
        with pytest.raises(ValueError):
            epsilon(*bad)


def _flower_processes(port):
    mark = f"127.0.0.1:{port}".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if mark in (entry / "cmdline").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_a_run_abandoned_mid_way_leaves_no_flower_process_behind(world, flower, sites, tmp_path):
    def abandon(record):
        raise RuntimeError("the coordinator gives up")  # the ServerApp is left waiting at the barrier

    with pytest.raises(RuntimeError), Federation(tmp_path / "fed", [s for _, s in sites.values()], flower) as fed:
        fed.run(rounds=2, on_round=abandon)
    assert _flower_processes(fed.port) == []
