"""``python -m api.aid``: individual aid from the command line.

Rules (list, register), the stand-in datasets and sample documents (generate), reading a document by OCR
(read), filing an application (apply), assessing and deciding it (assess, decide), exporting a decision's
inputs (inputs) and recomputing a recorded decision from them (recompute). Every command reads the one settings
root (``LEDGER_*``); the ledger is the one ``python -m chain_client deploy`` or ``scripts/run`` recorded.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, ParamSpec

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.console import Console

from api.aid.desk import AidDesk, ApplicationForm
from api.aid.errors import AidError
from api.aid.evidence import EvidenceSources
from api.aid.inputs import DecisionInputs
from api.aid.key_info import DocumentKind
from api.aid.reading import ocr_reader
from api.aid.recompute import recompute
from api.aid.rules import AidRule, RuleLibrary
from api.documents.store import DocumentStore, DocumentStoreError
from chain_client import connect, load_settings
from chain_client.config import Settings
from chain_client.deploy import Ledger, ledger_at, load_deployment
from chain_client.errors import ChainClientError
from chain_client.keys import Keystore
from chain_client.logs import configure_logging
from oracle.aid.documents import Scan, Split, write_documents
from oracle.aid.hospitals import FileHospitalLookup
from oracle.aid.investigation import SqliteInvestigationFeed, load_profiles, open_investigation_db
from oracle.aid.invoices import (
    FileInvoiceRegistry,
    HttpInvoiceRegistry,
    InvoiceRegistryAdapter,
    write_invoice_registry,
)
from oracle.aid.population import generate_cases, hospitals_of, investigation_records
from oracle.errors import OracleError
from oracle.registry.dataset import ensure_registry, read_registry

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Individual aid on the welfare-aid ledger."
)
console = Console(stderr=True)


P = ParamSpec("P")


def _errors_as_messages(command: Callable[P, None]) -> Callable[P, None]:
    """A domain error, a contract's refusal or a missing document ends the command with its message (exit 1)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (AidError, ChainClientError, DocumentStoreError, OracleError) as error:
            console.print(f"[red]{type(error).__name__}: {error}")
            raise typer.Exit(code=1) from None

    return run


@app.callback()
def _setup(log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING")] = "WARNING") -> None:
    configure_logging(log_level)


@contextmanager
def _ledger(settings: Settings) -> Iterator[Ledger]:
    """The recorded ledger on the configured chain, closed (the embedded chain's file released) afterwards."""
    client = connect(settings.chain)
    try:
        addresses = load_deployment(settings.chain.deployment_path, client)
        if addresses is None:
            console.print(
                "[red]no ledger deployed on this chain: run `python -m chain_client deploy` (or scripts/run)"
            )
            raise typer.Exit(code=1)
        yield ledger_at(client, addresses)
    finally:
        client.close()


def _bank(settings: Settings) -> LocalAccount:
    account: LocalAccount = Account.from_key(settings.oracle.bank_key.get_secret_value())
    return account


def _store(settings: Settings) -> DocumentStore:
    return DocumentStore.from_settings(settings.documents)


def _invoices(settings: Settings) -> InvoiceRegistryAdapter:
    if settings.aid.invoice_registry_url:
        return HttpInvoiceRegistry(settings.aid.invoice_registry_url)
    if not settings.aid.invoice_registry_file.exists():
        console.print("[red]no invoice registry: run `python -m api.aid generate` first")
        raise typer.Exit(code=1)
    return FileInvoiceRegistry(settings.aid.invoice_registry_file)


def _desk(settings: Settings, ledger: Ledger) -> AidDesk:
    sources = EvidenceSources(
        hospitals=FileHospitalLookup(ensure_registry(settings.oracle.registry_file)),
        invoices=_invoices(settings),
        investigation=SqliteInvestigationFeed(open_investigation_db(settings.aid.investigation_db)),
        registry=ledger.registry,
    )
    return AidDesk(ledger.aid, sources, _store(settings), ocr_reader(), settings.aid.identity_salt_bytes)


def _rule(rules: RuleLibrary, name: str | None, settings: Settings) -> AidRule:
    return rules.by_name(name or settings.aid.default_rule)


def _hex32(value: str, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        console.print(f"[red]{what} must be 32 bytes of hex (0x…), got {value!r}")
        raise typer.Exit(code=2)
    return raw


def _fen(amount: str) -> int:
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = Decimal(-1)
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        console.print(f"[red]the amount must be positive yuan with at most two decimals, got {amount!r}")
        raise typer.Exit(code=2)
    return int(value * 100)


def _print(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


@app.command()
@_errors_as_messages
def rules() -> None:
    """List the packaged rules: name, version, strategy, digest and terms."""
    _print(
        [
            {
                "rule": rule.label,
                "strategy": rule.strategy.value,
                "digest": "0x" + rule.digest().hex(),
                "pass_threshold": rule.pass_threshold,
                "items": {
                    item.code: {"threshold": item.threshold, "weight": item.weight} for item in rule.items
                },
            }
            for rule in RuleLibrary()
        ]
    )


@app.command("register-rule")
@_errors_as_messages
def register_rule(
    name: Annotated[str, typer.Argument(help="rule name, e.g. every-item or weighted-average@1")],
) -> None:
    """The bank (``LEDGER_ORACLE__BANK_KEY``) registers a rule's digest and terms on-chain."""
    settings = load_settings()
    rule = RuleLibrary().by_name(name)
    digest = rule.digest()
    with _ledger(settings) as ledger:
        if ledger.aid.rule_of(digest) is None:
            ledger.aid.register_rule(_bank(settings), digest, rule.terms())
    console.print(f"{rule.label} registered: 0x{digest.hex()}")


@app.command()
@_errors_as_messages
def generate(
    cases: Annotated[int, typer.Option(min=1, help="applications to generate")] = 12,
    out: Annotated[Path | None, typer.Option(help="render their documents into this directory")] = None,
    seed: Annotated[int, typer.Option()] = 700,
    today: Annotated[str | None, typer.Option(help="the day they apply (YYYY-MM-DD); default: today")] = None,
) -> None:
    """Write the invoice registry and the bank's investigation feed for generated applicants (stand-ins for
    the real systems), and render their documents for a demo."""
    settings = load_settings()
    day = datetime.date.fromisoformat(today) if today else datetime.date.today()
    records = read_registry(ensure_registry(settings.oracle.registry_file))
    hospitals = hospitals_of(records)
    made = generate_cases(
        hospitals, cases, today=day, seed=seed, all_registry_names={r.name for r in records}
    )
    write_invoice_registry(made.invoices, settings.aid.invoice_registry_file)
    engine = open_investigation_db(settings.aid.investigation_db)
    load_profiles(engine, investigation_records(made, settings.aid.identity_salt_bytes, seed=seed))
    console.print(f"invoice registry: {settings.aid.invoice_registry_file} ({len(made.invoices)} invoices)")
    console.print(f"investigation feed: {settings.aid.investigation_db}")
    if out is not None:
        truth = []
        for case in made.cases:
            paths = write_documents(case, out, Split.HELD_OUT, Scan.CLEAN, seed=seed)
            truth.append(
                {
                    "case": case.case_id,
                    "forgery": case.forgery.value,
                    "profile": case.profile.value,
                    "form": {
                        "name": case.id_card.name,
                        "id_number": case.id_card.id_number,
                        "phone": case.phone,
                        "amount": f"{case.amount_asked_fen / 100:.2f}",
                    },
                    "documents": {kind.value: str(path) for kind, path in paths.items()},
                }
            )
        (out / "cases.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n")
        console.print(f"documents and their truth: {out}/cases.json")


@app.command()
@_errors_as_messages
def read(
    kind: Annotated[DocumentKind, typer.Argument(help="id_card, invoice or diagnosis")],
    image: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
) -> None:
    """Read one document by OCR and print its second key information (values and doubted characters)."""
    reading = ocr_reader().read(kind, image.read_bytes())
    _print(reading.model_dump(mode="json"))


@app.command()
@_errors_as_messages
def apply(
    applicant: Annotated[
        str, typer.Option(help="the applicant's keystore name (python -m chain_client keys create)")
    ],
    name: Annotated[str, typer.Option()],
    id_number: Annotated[str, typer.Option()],
    phone: Annotated[str, typer.Option()],
    amount: Annotated[str, typer.Option(help="amount asked, yuan (e.g. 12345.60)")],
    id_card: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
    invoice: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
    diagnosis: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
    pool: Annotated[int, typer.Option(help="the relief plan (0: the platform)")] = 0,
    sponsor: Annotated[
        bool,
        typer.Option(
            help="have the bank (LEDGER_ORACLE__BANK_KEY) allow-list the applicant's account if needed"
        ),
    ] = True,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)] = "",
) -> None:
    """File an application: the documents are read, sealed in the store, and filed on-chain under the salted
    identity hash and their digests. Prints the application id and the file's digest (for ``decide``)."""
    settings = load_settings()
    account = Keystore(settings.chain.keystore_dir, scrypt_n=settings.chain.keystore_scrypt_n).load(
        applicant, password
    )
    form = ApplicationForm(
        name=name, id_number=id_number, phone=phone, amount_asked_fen=_fen(amount), pool_id=pool
    )
    images = {
        DocumentKind.ID_CARD: id_card.read_bytes(),
        DocumentKind.INVOICE: invoice.read_bytes(),
        DocumentKind.DIAGNOSIS: diagnosis.read_bytes(),
    }
    with _ledger(settings) as ledger:
        consortium = ledger.foundation.consortium
        if sponsor and not consortium.is_allowed(account.address):
            consortium.allow_account(_bank(settings), account.address)  # the bank sponsors the applicant
        desk = _desk(settings, ledger)
        filed = desk.file_application(account, form, images)
    _print(
        {
            "application_id": filed.application_id,
            "file": "0x" + desk.file_digest(filed).hex(),
            "tx_hash": filed.tx_hash,
        }
    )


@app.command()
@_errors_as_messages
def assess(
    file: Annotated[str, typer.Argument(help="the filed application's digest (from apply)")],
    rule: Annotated[str | None, typer.Option(help="rule name; default LEDGER_AID__DEFAULT_RULE")] = None,
    today: Annotated[
        str | None, typer.Option(help="decide as of this day (YYYY-MM-DD); default: chain time")
    ] = None,
) -> None:
    """Assess a filed application under a rule without recording anything: scores, outcome, reasons."""
    settings = load_settings()
    day = datetime.date.fromisoformat(today) if today else None
    with _ledger(settings) as ledger:
        desk = _desk(settings, ledger)
        filed = desk.load_file(_hex32(file, "the file digest"))
        _, assessment = desk.assess(filed, _rule(RuleLibrary(), rule, settings), today=day)
    _print(
        {
            "application_id": filed.application_id,
            "rule": assessment.rule.label,
            "approved": assessment.approved,
            "scores": {item.code: item.score for item in assessment.items},
            "reasons": list(assessment.reasons),
        }
    )


@app.command()
@_errors_as_messages
def decide(
    file: Annotated[str, typer.Argument(help="the filed application's digest (from apply)")],
    rule: Annotated[str | None, typer.Option(help="rule name; default LEDGER_AID__DEFAULT_RULE")] = None,
    today: Annotated[
        str | None, typer.Option(help="decide as of this day (YYYY-MM-DD); default: chain time")
    ] = None,
) -> None:
    """The bank decides a filed application under a registered rule and records the decision on-chain."""
    settings = load_settings()
    chosen = _rule(RuleLibrary(), rule, settings)
    day = datetime.date.fromisoformat(today) if today else None
    with _ledger(settings) as ledger:
        desk = _desk(settings, ledger)
        filed = desk.load_file(_hex32(file, "the file digest"))
        desk.register_rule(_bank(settings), chosen)
        recorded = desk.decide(_bank(settings), filed, chosen, today=day)
    _print(
        {
            "application_id": recorded.application_id,
            "tx_hash": "0x" + recorded.tx_hash.hex(),
            "approved": recorded.assessment.approved,
            "scores": {item.code: item.score for item in recorded.assessment.items},
            "reasons": list(recorded.assessment.reasons),
            "inputs": "0x" + recorded.inputs_digest.hex(),
        }
    )


@app.command()
@_errors_as_messages
def inputs(
    digest: Annotated[str, typer.Argument(help="the decision's input digest")],
    out: Annotated[Path, typer.Option(help="write the canonical inputs here")],
) -> None:
    """Export a decision's canonical inputs from the document store (to hand to the applicant or an auditor)."""
    settings = load_settings()
    raw = _store(settings).get(_hex32(digest, "the input digest"))
    DecisionInputs.from_canonical(raw)
    out.write_bytes(raw)
    console.print(f"{len(raw)} bytes written to {out}")


@app.command("recompute")
@_errors_as_messages
def recompute_command(
    tx_hash: Annotated[str, typer.Argument(help="the decision's transaction hash")],
    inputs_file: Annotated[
        Path, typer.Option("--inputs", exists=True, dir_okay=False, help="canonical inputs")
    ],
    rule_file: Annotated[Path | None, typer.Option("--rule-file", exists=True, dir_okay=False)] = None,
) -> None:
    """Recompute a recorded decision from its inputs and say whether it reproduces (exit code 1 if not)."""
    settings = load_settings()
    library = RuleLibrary()
    if rule_file is not None:
        library.load(rule_file)
    with _ledger(settings) as ledger:
        result = recompute(
            ledger.aid, _hex32(tx_hash, "the transaction hash"), inputs_file.read_bytes(), library
        )
    _print(result.report())
    if not result.reproduces:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
