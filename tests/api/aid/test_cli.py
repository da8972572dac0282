"""``python -m api.aid``: rules, registering a rule, the stand-in datasets, exporting inputs and recomputing a
decision recorded on the embedded chain of a data directory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from typer.testing import CliRunner

from api.aid.__main__ import app
from api.aid.engine import assess
from api.aid.rules import RuleLibrary
from api.documents.store import DocumentStore
from chain_client import connect, load_settings, operator_account
from chain_client.contracts import BANK_ROLE
from chain_client.deploy import deploy_ledger, ledger_at, load_deployment, save_deployment
from chain_client.keys import Keystore
from oracle.aid.population import Forgery
from tests.aid_cases import case_of, inputs_of

runner = CliRunner()
RULES = RuleLibrary()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data directory with the ledger deployed on its embedded chain and the dev bank holding the BANK role."""
    directory = tmp_path_factory.mktemp("aid-cli")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEDGER_DATA_DIR", str(directory))
        _deploy()
        yield directory


def _deploy() -> None:
    settings = load_settings()
    client = connect(settings.chain)
    try:
        admin = operator_account(settings.chain)
        ledger = deploy_ledger(client, admin)
        save_deployment(settings.chain.deployment_path, client, ledger.addresses())
        bank: LocalAccount = Account.from_key(settings.oracle.bank_key.get_secret_value())
        ledger.foundation.consortium.grant_role(admin, BANK_ROLE, bank.address)
        ledger.foundation.consortium.allow_account(admin, bank.address)
    finally:
        client.close()


def _decided(data_dir: Path, forgery: Forgery = Forgery.NONE) -> tuple[bytes, bytes]:
    """An application filed and decided under strategy A on the data directory's chain: (tx hash, inputs)."""
    settings = load_settings()
    client = connect(settings.chain)
    try:
        addresses = load_deployment(settings.chain.deployment_path, client)
        assert addresses is not None
        ledger = ledger_at(client, addresses)
        applicant: LocalAccount = Account.create()
        bank: LocalAccount = Account.from_key(settings.oracle.bank_key.get_secret_value())
        ledger.foundation.consortium.allow_account(bank, applicant.address)  # the bank sponsors the applicant
        case, registered = case_of(forgery)
        inputs = inputs_of(case, registered)
        application_id, _ = ledger.aid.submit_application(
            applicant,
            0,
            bytes.fromhex(inputs.identity_hash[2:]),
            [bytes.fromhex(d[2:]) for d in inputs.document_digests],
        )
        inputs = inputs.model_copy(update={"application_id": application_id, "pool_id": 0})
        rule = RULES.by_name("every-item")
        ledger.aid.register_rule(bank, rule.digest(), rule.terms())
        result = ledger.aid.decide(bank, application_id, assess(inputs, rule).decision())
        DocumentStore.from_settings(settings.documents).put(inputs.canonical_json())
        return result.tx_hash, inputs.canonical_json()
    finally:
        client.close()


def test_rules_lists_both_strategies_with_their_digests() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    listed = {rule["rule"]: rule for rule in json.loads(result.stdout)}
    assert listed["every-item@1"]["digest"] == "0x" + RULES.by_name("every-item").digest().hex()
    assert listed["weighted-average@1"]["pass_threshold"] == 9_200


def test_register_rule_records_it_once(data_dir: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["register-rule", "weighted-average"])
        assert result.exit_code == 0, result.output
    unknown = runner.invoke(app, ["register-rule", "lenient"])
    assert unknown.exit_code == 1
    assert "RuleUnknown" in unknown.output


def test_generate_writes_the_stand_in_registry_and_feed(data_dir: Path) -> None:
    result = runner.invoke(app, ["generate", "--cases", "4", "--today", "2026-06-01"])
    assert result.exit_code == 0, result.output
    settings = load_settings().aid
    assert settings.invoice_registry_file.exists()
    assert settings.investigation_db.exists()


def test_recompute_reproduces_a_recorded_decision_and_names_a_changed_byte(
    data_dir: Path, tmp_path: Path
) -> None:
    tx_hash, raw = _decided(data_dir)
    exported = tmp_path / "inputs.json"

    result = runner.invoke(app, ["inputs", "0x" + keccak(raw).hex(), "--out", str(exported)])
    assert result.exit_code == 0, result.output
    assert exported.read_bytes() == raw
    result = runner.invoke(app, ["recompute", "0x" + tx_hash.hex(), "--inputs", str(exported)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["reproduces"], report["differences"]) == (True, [])
    assert report["recorded"]["approved"] is True
    position = raw.index(b'"today":"') + len(b'"today":"') + 3
    exported.write_bytes(raw[:position] + bytes([raw[position] ^ 1]) + raw[position + 1 :])
    result = runner.invoke(app, ["recompute", "0x" + tx_hash.hex(), "--inputs", str(exported)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["reproduces"] is False
    assert report["differences"][0].startswith("input digest")


def test_bad_arguments_are_refused_with_a_message(data_dir: Path) -> None:
    assert runner.invoke(app, ["recompute", "0x1234", "--inputs", __file__]).exit_code == 2
    missing = runner.invoke(app, ["inputs", "0x" + "ab" * 32, "--out", "x.json"])
    assert missing.exit_code == 1
    assert "DocumentNotFound" in missing.output
    not_a_decision = runner.invoke(app, ["recompute", "0x" + "ab" * 32, "--inputs", __file__])
    assert not_a_decision.exit_code == 1
    assert "DecisionNotFound" in not_a_decision.output


def test_apply_and_decide_from_the_command_line(data_dir: Path, tmp_path: Path) -> None:
    """The documented path: generate the stand-ins, a keystore, apply with three documents (read by OCR), decide,
    export the inputs, recompute. The generated hospitals are not on this ledger: the decision names that."""
    assert (
        runner.invoke(
            app, ["generate", "--cases", "1", "--out", str(tmp_path), "--today", "2026-06-01"]
        ).exit_code
        == 0
    )
    [case] = json.loads((tmp_path / "cases.json").read_text())
    settings = load_settings()
    Keystore(settings.chain.keystore_dir, scrypt_n=1024).create("alice", "pw")
    form, documents = case["form"], case["documents"]
    arguments = ["apply", "--applicant", "alice", "--password", "pw", "--name", form["name"]]
    arguments += ["--id-number", form["id_number"], "--phone", form["phone"], "--amount", form["amount"]]
    arguments += [
        "--id-card",
        documents["id_card"],
        "--invoice",
        documents["invoice"],
        "--diagnosis",
        documents["diagnosis"],
    ]
    applied = runner.invoke(app, arguments)
    assert applied.exit_code == 0, applied.output
    filed = json.loads(applied.stdout)
    decided = runner.invoke(app, ["decide", filed["file"], "--today", "2026-06-01"])
    assert decided.exit_code == 0, decided.output
    decision = json.loads(decided.stdout)
    assert decision["application_id"] == filed["application_id"]
    assert (decision["approved"], decision["reasons"]) == (False, ["HOSPITAL_NOT_ONBOARDED"])
    exported = tmp_path / "inputs.json"
    assert runner.invoke(app, ["inputs", decision["inputs"], "--out", str(exported)]).exit_code == 0
    recomputed = runner.invoke(app, ["recompute", decision["tx_hash"], "--inputs", str(exported)])
    assert recomputed.exit_code == 0, recomputed.output
    again = runner.invoke(
        app, ["apply", *arguments[1:]]
    )  # one open application per identity? it was rejected
    assert again.exit_code == 0, again.output
