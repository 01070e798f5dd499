"""`medchain consent …` and `medchain records …` in one session against a running Anvil."""

from __future__ import annotations

import json

import pytest

from medchain.core.accounts import dev_account
from medchain.core.chain import LocalNode
from medchain.participants import encryption_key_of
from medchain.scenarios.consent import HBA1C
from tests.conftest import require_node_tool
from tests.core.test_cli import one_line_error, run

PATIENT, HOSPITAL_A, HOSPITAL_B = (dev_account(i).address for i in (11, 1, 2))


@pytest.mark.anvil
def test_a_consent_and_records_session(capsys, tmp_path):
    require_node_tool("anvil")
    with LocalNode("anvil") as node:
        base = ["--chain", node.url, "--deployments", str(tmp_path)]
        rec = ["records", "--store", f"embedded:{tmp_path / 'ipfs'}", "--vault", str(tmp_path / "vault")]
        ok = lambda *args: run(capsys, *base, *args)  # noqa: E731
        assert ok("deploy")[0] == 0
        assert ok("--account", "dev:11", "participants", "register-patient")[0] == 0
        assert ok("participants", "register-org", HOSPITAL_A, "--name", "A", "--roles", "hospital", "--key",
                  encryption_key_of(dev_account(1)).hex())[0] == 0
        code, out, _ = ok("--account", "dev:11", "consent", "grant", HOSPITAL_A, "--categories", "all",
                          "--actions", "read,write")
        assert code == 0 and out.startswith("ok: tx 0x")
        record = tmp_path / "hba1c.json"
        record.write_text(json.dumps(HBA1C))
        code, out, _ = ok("--account", "dev:1", *rec, "put", str(record), "--patient", PATIENT, "--category", "diabetes")
        assert code == 0, out
        record_id = out.split()[2]
        code, out, _ = ok("--account", "dev:1", *rec, "get", record_id)
        assert code == 0 and json.loads(out)["valueQuantity"]["value"] == 8.1
        code, out, _ = ok("consent", "accesses", "--patient", PATIENT, "--json")
        assert [a["reader"] for a in json.loads(out)] == [HOSPITAL_A]

        signed = tmp_path / "grant.json"
        assert ok("--account", "dev:11", "consent", "sign", HOSPITAL_B, "--categories", "diabetes", "--end",
                  "2099-12-31", "--out", str(signed))[0] == 0
        assert ok("--account", "dev:5", "consent", "relay", str(signed))[0] == 0
        code, out, _ = ok("consent", "check", PATIENT, HOSPITAL_B, "--categories", "diabetes")
        assert (code, out.strip()) == (0, "permitted")
        code, out, _ = ok("consent", "export-fhir", PATIENT, HOSPITAL_B)
        assert json.loads(out)["provision"]["period"]["end"] == "2099-12-31T23:59:59Z"
        code, _, err = ok("--account", "dev:5", "consent", "relay", str(signed))
        one_line_error(err, "InvalidAccountNonce")
        code, _, err = ok("--account", "dev:2", *rec, "get", record_id)
        one_line_error(err, "holds no wrapped key")  # consented now, but nobody shared the key yet
        code, _, err = ok("--account", "dev:3", *rec, "get", record_id)
        one_line_error(err, "holds no consent")
        assert ok("--account", "dev:2", "consent", "log-access", record_id)[0] == 0  # B's signed consent
        code, _, err = ok("--account", "dev:3", "consent", "emergency", record_id, "--reason", "ER")
        one_line_error(err, "ParticipantNotRegistered")
        code, _, err = ok("--account", "dev:11", "consent", "grant", HOSPITAL_B, "--categories", "podiatry")
        one_line_error(err, "unknown category 'podiatry'")
        code, out, _ = ok("--account", "dev:11", "consent", "revoke", HOSPITAL_A, *rec[1:])  # re-keys by default
        assert code == 0 and out.splitlines()[-1] == f"ok: 1 record(s) re-keyed without {HOSPITAL_A}", out
        new_id = out.splitlines()[1].split()[3]
        code, _, err = ok("--account", "dev:1", *rec, "get", new_id)
        one_line_error(err, "revoked the consent")
        code, out, _ = ok("--account", "dev:11", "consent", "revoke", HOSPITAL_A, *rec[1:])  # a re-run resumes
        assert code == 0 and "already revoked" in out and out.splitlines()[-1].startswith("ok: 0 record(s)")
        assert ok("--account", "dev:11", *rec, "erase", record_id)[0] == 0
        code, _, err = ok("--account", "dev:11", *rec, "get", record_id)
        one_line_error(err, "was erased on chain")
