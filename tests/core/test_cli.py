"""The command line: help everywhere, one-line reasons and exit code 1 on user errors."""

from __future__ import annotations

import json
import os
import stat

import click
import pytest
from eth_account import Account

from medchain import cli as cli_module
from medchain.core.chain import LocalNode
from tests.conftest import require_node_tool


def run(capsys, *args):
    with pytest.raises(SystemExit) as info:
        cli_module.main(list(args))
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def one_line_error(err, text):
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("  ")]
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], err
    assert "Traceback" not in err


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", [()] + list(_commands(cli_module.cli)), ids=lambda p: " ".join(p) or "medchain")
def test_every_command_has_help(capsys, path):
    code, out, _ = run(capsys, *path, "--help")
    assert code == 0 and "Usage:" in out


def test_unknown_chain(capsys):
    code, _, err = run(capsys, "--chain", "mainnet-please", "deploy")
    assert code == 1
    one_line_error(err, "unknown chain 'mainnet-please'")


def test_unreachable_url(capsys):
    from medchain.core.chain import free_port

    code, _, err = run(capsys, "--chain", f"http://127.0.0.1:{free_port()}", "status")
    assert code == 1
    one_line_error(err, "no Ethereum node answers")


def test_demo_runs_on_the_embedded_chain(capsys):
    code, out, _ = run(capsys, "demo", "participants")
    assert code == 0 and "1 scenario(s) passed on embedded" in out


def test_unknown_scenario(capsys):
    code, _, err = run(capsys, "demo", "teleportation")
    assert code == 1
    one_line_error(err, "unknown scenario 'teleportation'")


def test_bad_role_name(capsys):
    code, _, err = run(
        capsys, "participants", "register-org", "0x" + "11" * 20, "--name", "X", "--roles", "wizard", "--key", "02" + "11" * 32
    )
    assert code == 1


def test_missing_artifact(capsys, monkeypatch, tmp_path):
    import medchain.core.contracts as contracts

    monkeypatch.setattr(contracts, "ARTIFACTS_DIR", tmp_path)
    contracts.load_artifact.cache_clear()
    try:
        code, _, err = run(capsys, "deploy")
    finally:
        contracts.load_artifact.cache_clear()
    assert code == 1
    one_line_error(err, "no compiled artifact for ParticipantRegistry")


def test_insufficient_funds(capsys, monkeypatch):
    monkeypatch.setenv("BROKE_KEY", Account.create().key.hex())
    code, _, err = run(capsys, "--account", "env:BROKE_KEY", "deploy")
    assert code == 1
    one_line_error(err, "cannot pay")


def test_bad_account_specs(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("NOPE", raising=False)
    assert run(capsys, "--account", "env:NOPE", "deploy")[0] == 1
    code, _, err = run(capsys, "--account", f"keystore:{tmp_path}/missing.json", "deploy")
    one_line_error(err, "does not exist")
    code, _, err = run(capsys, "--account", "ledger:0", "deploy")
    one_line_error(err, "unknown account spec")


def test_keystores_are_encrypted_and_private(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDCHAIN_KEYSTORE_PASSWORD", "correct horse")
    path = tmp_path / "hospital.json"
    code, out, _ = run(capsys, "account", "new", str(path))
    address = out.strip()
    assert code == 0 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(path.read_text())
    assert "crypto" in data and address[2:].lower() == data["address"].lower()
    code, out, _ = run(capsys, "--account", f"keystore:{path}", "account", "show")
    assert code == 0 and out.startswith(address)
    monkeypatch.setenv("MEDCHAIN_KEYSTORE_PASSWORD", "wrong")
    code, _, err = run(capsys, "--account", f"keystore:{path}", "account", "show")
    one_line_error(err, "wrong password")
    code, _, err = run(capsys, "account", "new", str(path))
    one_line_error(err, "refusing to overwrite")


@pytest.mark.anvil
def test_a_session_against_a_node(capsys, tmp_path):
    """deploy, status, register, a revert and a wrong-chain manifest, against a running Anvil."""
    require_node_tool("anvil")
    with LocalNode("anvil") as node:
        base = ["--chain", node.url, "--deployments", str(tmp_path)]
        assert run(capsys, *base, "deploy")[0] == 0
        code, out, _ = run(capsys, *base, "status")
        assert code == 0 and "ParticipantRegistry" in out
        code, out, _ = run(
            capsys,
            *base,
            "participants",
            "register-org",
            "0x" + "11" * 20,
            "--name",
            "Clinic",
            "--roles",
            "hospital",
            "--key",
            "02" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        )
        assert code == 0 and out.startswith("ok: tx 0x")
        code, out, _ = run(capsys, *base, "participants", "show", "0x" + "11" * 20, "--json")
        assert json.loads(out)["roles"] == ["hospital"]
        code, _, err = run(capsys, *base, "--account", "dev:3", "participants", "suspend", "0x" + "11" * 20, "--reason", "x")
        assert code == 1
        one_line_error(err, "NotGovernanceOrRegulator(account=0x")
        wrong = tmp_path / "wrong.json"
        wrong.write_text(json.dumps({"chainId": 5, "contracts": {}}))
        code, _, err = run(capsys, *base, "--manifest", str(wrong), "status")
        one_line_error(err, "is for chain id 5")


@pytest.mark.anvil
def test_development_accounts_are_refused_on_a_real_network(capsys):
    require_node_tool("anvil")
    with LocalNode("anvil", chain_id=11155111) as node:
        code, _, err = run(capsys, "--chain", node.url, "account", "show")
        one_line_error(err, "development accounts are only for local chains")
