"""``python -m chain_client consortium``: generate the Besu QBFT network kit, deploy to it, join, leave."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chain_client.consortium.council import (
    ChangeStatus,
    approve_bank_change,
    bank_change_status,
    execute_bank_change,
    hand_over,
    propose_bank_change,
)
from chain_client.consortium.deploy import deploy_consortium
from chain_client.consortium.kit import (
    DEFAULT_CHAIN_ID,
    DEV_KIT_PASSWORD,
    KitOptions,
    add_bank,
    default_bank_names,
    export_node_key,
    init_kit,
    remove_bank,
    rotate_node_key,
)
from chain_client.consortium.network import (
    DEFAULT_BLOCK_GAS_LIMIT,
    BankNode,
    Network,
    QbftParameters,
    load_network,
)
from chain_client.consortium.votes import (
    VoteStep,
    discard_votes,
    discards,
    proposals,
    validator_votes,
    validators_step,
    votes_needed,
)

PASSWORD_ENV = "LEDGER_CONSORTIUM_PASSWORD"  # noqa: S105 - the name of a variable, not a secret

consortium_app = typer.Typer(
    no_args_is_help=True,
    help="The bank consortium: a Hyperledger Besu QBFT network kit (keys, genesis, node configs).",
)
console = Console(soft_wrap=True)  # commands and enodes must stay copyable: never wrapped

KitDir = Annotated[Path, typer.Option("--kit", help="the kit directory made by `consortium init`")]
Password = Annotated[
    str | None,
    typer.Option(
        envvar=PASSWORD_ENV,
        show_default=False,
        help=f"keystore password (else ${PASSWORD_ENV}, else asked for)",
    ),
]
DevPassword = Annotated[
    bool,
    typer.Option(
        "--dev-password",
        help="use and print the published development password (rehearsals only, never real keys)",
    ),
]
ScryptN = Annotated[int, typer.Option(help="scrypt cost of new keystores; lower only for tests", min=2**10)]


def _password(password: str | None, dev: bool, *, confirm: bool) -> str:
    if password:
        return password
    if dev:
        console.print(f"[yellow]development password:[/yellow] {DEV_KIT_PASSWORD!r} (never for real keys)")
        return DEV_KIT_PASSWORD
    value: str = typer.prompt("keystore password", hide_input=True, confirmation_prompt=confirm)
    return value


def _bank_table(network: Network) -> Table:
    table = Table(title=f"consortium chain {network.chain_id}: {len(network.banks)} banks")
    # Addresses are what an operator copies: never cut or wrapped, even on a narrow terminal or a pipe
    # (rich then draws the table wider than the console instead).
    names = ("bank", "account", "validator (node key)")
    cells = [(bank.name, bank.account, bank.validator) for bank in network.banks]
    for column, name in enumerate(names):
        widest = max([len(name), *(len(row[column]) for row in cells)])
        table.add_column(name, no_wrap=True, min_width=widest)
    for bank in network.banks:
        table.add_row(bank.name, bank.account, bank.validator)
    return table


def _print_network(network: Network) -> None:
    console.print(_bank_table(network))
    for bank in network.banks:
        console.print(f"{bank.name}: {bank.enode}", markup=False)


def _print_steps(title: str, steps: list[VoteStep]) -> None:
    if title:
        console.print(f"[bold]{title}[/bold]")
    for step in steps:
        console.print(f"  on {step.voter}'s server:")
        console.print(f"    {step.curl}", markup=False)


def _print_votes(network: Network, target: BankNode, *, add: bool) -> None:
    voters = [bank for bank in network.banks if bank.name != target.name]
    current = len(voters) if add else len(network.banks)
    verb = "add" if add else "remove"
    console.print(
        f"validator vote to {verb} {target.name} ({target.validator}): at least "
        f"{votes_needed(current)} of the {current} current validators must propose it"
    )
    _print_steps("1. each voting validator proposes:", validator_votes(network, target, add=add))
    _print_steps("2. check the validator set (repeat until it has changed):", [validators_step()])
    _print_steps("3. then each voter discards its proposal:", discard_votes(network, target))


@consortium_app.command("init")
def init_command(
    banks: Annotated[int, typer.Option(help="number of banks (one validator each; 4 tolerate one fault)")],
    out: Annotated[Path, typer.Option(help="new, empty directory for the kit")],
    names: Annotated[
        str | None, typer.Option(help="comma-separated bank names (default bank-1..bank-N)")
    ] = None,
    chain_id: Annotated[int, typer.Option(help="the network's chain id (EIP-155)")] = DEFAULT_CHAIN_ID,
    block_period: Annotated[int, typer.Option(help="QBFT blockperiodseconds")] = 2,
    epoch_length: Annotated[int, typer.Option(help="QBFT epochlength (blocks)")] = 30_000,
    request_timeout: Annotated[int, typer.Option(help="QBFT requesttimeoutseconds")] = 4,
    block_gas_limit: Annotated[int, typer.Option(help="genesis gasLimit")] = DEFAULT_BLOCK_GAS_LIMIT,
    p2p_hosts: Annotated[
        str | None,
        typer.Option(help="comma-separated IP address of each bank's server (default: rehearsal addresses)"),
    ] = None,
    password: Password = None,
    dev_password: DevPassword = False,
    scrypt_n: ScryptN = 2**18,
) -> None:
    """Generate a Besu QBFT network kit: keys, genesis, node configs, allowlists, compose files."""
    bank_names = [name.strip() for name in names.split(",")] if names else default_bank_names(banks)
    if len(bank_names) != banks:
        raise typer.BadParameter(f"--names gives {len(bank_names)} names for {banks} banks")
    options = KitOptions(
        chain_id=chain_id,
        qbft=QbftParameters(block_period, epoch_length, request_timeout),
        block_gas_limit=block_gas_limit,
        p2p_hosts=tuple(host.strip() for host in p2p_hosts.split(",")) if p2p_hosts else (),
        scrypt_n=scrypt_n,
    )
    secret = _password(password, dev_password, confirm=True)
    with console.status(f"generating {2 * banks} keys and the kit in {out}"):
        network = init_kit(out, bank_names, secret, options)
    _print_network(network)
    if network.fault_tolerance == 0:
        console.print(
            f"[yellow]note:[/yellow] {len(network.banks)} validators tolerate no faulty validator; "
            "QBFT needs 4 to tolerate one (3f + 1)"
        )
    console.print(f"kit written to {out}; next: docs/operations.md, 'Starting a node'")


@consortium_app.command("show")
def show_command(kit: KitDir) -> None:
    """Print the kit's banks, accounts, validators and enodes (no password needed)."""
    network = load_network(kit)
    _print_network(network)
    console.print(
        f"QBFT: block period {network.qbft.block_period_seconds} s, epoch {network.qbft.epoch_length} blocks, "
        f"request timeout {network.qbft.request_timeout_seconds} s; tolerates {network.fault_tolerance} "
        f"faulty validator(s); image {network.besu_image}"
    )


@consortium_app.command("node-key")
def node_key_command(
    kit: KitDir,
    bank: Annotated[str, typer.Option(help="the bank whose node key to write")],
    password: Password = None,
    dev_password: DevPassword = False,
) -> None:
    """Decrypt a bank's node key into nodes/<bank>/key (mode 0600) for Besu; run on that bank's server."""
    path = export_node_key(kit, bank, _password(password, dev_password, confirm=False))
    console.print(f"node key of {bank} written to {path} (keep it on this server only)")


@consortium_app.command("add-bank")
def add_bank_command(
    kit: KitDir,
    name: Annotated[str, typer.Option(help="the joining bank's name")],
    p2p_host: Annotated[str | None, typer.Option(help="the joining bank's server IP address")] = None,
    password: Password = None,
    dev_password: DevPassword = False,
    scrypt_n: ScryptN = 2**18,
) -> None:
    """A bank joins: its keys and node directory, every node's allowlists, and the votes to cast."""
    network, bank = add_bank(
        kit, name, _password(password, dev_password, confirm=True), p2p_host=p2p_host, scrypt_n=scrypt_n
    )
    console.print(f"{bank.name}: account {bank.account}, validator {bank.validator}")
    console.print(f"enode {bank.enode}")
    console.print("every node's static-nodes.json and permissions_config.toml now list it: restart the nodes")
    console.print("one at a time, then start the new node (docs/operations.md, 'A bank joins').")
    _print_votes(network, bank, add=True)
    console.print(
        f"on-chain (BANK_ROLE, allow-list, node list), by a majority of the banks: one bank runs "
        f"`consortium council propose --add {bank.name} --bank <its name>`, the others "
        f"`consortium council approve --add {bank.name} --bank <their name>`.",
        markup=False,
    )


@consortium_app.command("remove-bank")
def remove_bank_command(
    kit: KitDir, name: Annotated[str, typer.Option(help="the leaving bank's name")]
) -> None:
    """A bank leaves: the votes to remove its validator, and its node off every allowlist.

    Run it after the on-chain step (`consortium council propose/approve --remove NAME`): that step reads the
    bank's account and enode from the kit."""
    before = load_network(kit)
    _, bank = remove_bank(kit, name)
    _print_votes(before, bank, add=False)
    console.print(f"{name} is off every remaining node's static-nodes.json and permissions_config.toml;")
    console.print("restart the remaining nodes one at a time after the vote has taken effect.")


@consortium_app.command("rotate-node-key")
def rotate_node_key_command(
    kit: KitDir,
    bank: Annotated[str, typer.Option(help="the bank whose validator (node) key to replace")],
    password: Password = None,
    dev_password: DevPassword = False,
    scrypt_n: ScryptN = 2**18,
) -> None:
    """Replace a bank's node key: a new enode and validator address, and the votes that swap them."""
    rotated = rotate_node_key(kit, bank, _password(password, dev_password, confirm=False), scrypt_n=scrypt_n)
    others = [b for b in rotated.network.banks if b.name != bank]
    console.print(f"{bank}: new validator {rotated.bank.validator} (was {rotated.old_validator})")
    console.print(f"new enode {rotated.bank.enode}", markup=False)
    console.print(f"old node keystore kept as {rotated.retired_keystore}")
    validators = len(rotated.network.banks)
    console.print(
        f"step 1 needs {votes_needed(validators)} of the {validators} current validators ({bank}'s own node "
        f"may vote too), step 4 needs {votes_needed(len(others))} of the {len(others)} left"
    )
    _print_steps(
        f"1. the others remove the old validator {rotated.old_validator}:",
        proposals(rotated.old_validator, others, add=False),
    )
    _print_steps("   check until it is gone:", [validators_step()])
    _print_steps("   then each discards its proposal:", discards(rotated.old_validator, others))
    console.print(
        "2. restart the other banks' nodes one at a time (their allowlists now hold the new enode)."
    )
    console.print(
        f"3. on {bank}'s server: move nodes/{bank}/key to the backup, run `consortium node-key`, restart."
    )
    _print_steps(
        f"4. the others add the new validator {rotated.bank.validator}:",
        proposals(rotated.bank.validator, others, add=True),
    )
    _print_steps("   check until it is in:", [validators_step()])
    _print_steps("   then each discards its proposal:", discards(rotated.bank.validator, others))


@consortium_app.command("deploy")
def deploy_command(
    kit: KitDir,
    rpc: Annotated[
        str, typer.Option(help="JSON-RPC URL of a node of the network (e.g. http://127.0.0.1:8545)")
    ],
    password: Password = None,
    dev_password: DevPassword = False,
) -> None:
    """Deploy the ledger's contracts with the banks' accounts; grant BANK_ROLE; record the deployment."""
    result = deploy_consortium(
        kit, rpc, _password(password, dev_password, confirm=False), report=lambda line: console.print(line)
    )
    console.print(
        f"done: chain {result.chain_id}, administered by {result.admin}; the service runs against it with "
        f"LEDGER_CHAIN__BACKEND=jsonrpc LEDGER_CHAIN__RPC_URL={rpc} LEDGER_DATA_DIR={kit}"
    )


# ---------------------------------------------------------------------- the banks' council

council_app = typer.Typer(
    no_args_is_help=True,
    help="The banks' council on-chain: hand over after deploy; a bank joins or leaves by a majority of the banks.",
)
consortium_app.add_typer(council_app, name="council")

Rpc = Annotated[
    str, typer.Option("--rpc", help="JSON-RPC URL of a node of the network (e.g. http://127.0.0.1:8545)")
]
Signer = Annotated[str, typer.Option("--bank", help="the bank that signs, with its own account key")]
Joining = Annotated[
    str | None,
    typer.Option("--add", help="the joining bank (after `consortium add-bank`)", show_default=False),
]
Leaving = Annotated[
    str | None,
    typer.Option("--remove", help="the leaving bank (before `consortium remove-bank`)", show_default=False),
]


def _target(add: str | None, remove: str | None) -> tuple[str, bool]:
    if add is not None and remove is None:
        return add, True
    if remove is not None and add is None:
        return remove, False
    raise typer.BadParameter("give exactly one of --add NAME or --remove NAME")


def _report(line: str) -> None:
    console.print(line, markup=False)


def _print_change(kit: Path, status: ChangeStatus) -> None:
    change = status.change
    table = Table(title=change.description)
    table.add_column("step")
    table.add_column("proposal")
    table.add_column("approved by")
    table.add_column("state")
    for call in status.calls:
        state = "in effect" if call.in_effect else f"{call.approvals} of {status.needed} approvals"
        proposal = "" if call.proposal_id is None else str(call.proposal_id)
        table.add_row(
            f"{call.call.step.value} {change.bank.name}", proposal, ", ".join(call.approvers), state
        )
    console.print(table)
    if status.done:
        verb = "joined" if change.joining else "left"
        console.print(
            f"on-chain: {change.bank.name} has {verb} the consortium (role, allow-list, node list)."
        )
        _print_votes(load_network(kit), change.bank, add=change.joining)
        if not change.joining:
            console.print(
                f"then take it off the kit: `consortium remove-bank --name {change.bank.name}`", markup=False
            )
    elif not status.proposed:
        console.print(
            f"not proposed: a bank runs `consortium council propose {change.option} --bank <its name>`"
        )
    else:
        console.print(
            f"waiting: {status.approvals} of {status.needed} approvals; {status.missing} more bank(s) must run "
            f"`consortium council approve {change.option} --bank <its name>`; it executes at the last one.",
            markup=False,
        )


@council_app.command("hand-over")
def hand_over_command(
    kit: KitDir, rpc: Rpc, password: Password = None, dev_password: DevPassword = False
) -> None:
    """Once, after `consortium deploy`: the first bank hands DEFAULT_ADMIN_ROLE to the banks' council."""
    hand_over(kit, rpc, _password(password, dev_password, confirm=False), report=_report)


@council_app.command("propose")
def propose_command(
    kit: KitDir,
    rpc: Rpc,
    bank: Signer,
    add: Joining = None,
    remove: Leaving = None,
    password: Password = None,
    dev_password: DevPassword = False,
) -> None:
    """A bank proposes that a bank join (--add) or leave (--remove): role, allow-list and node list."""
    name, joining = _target(add, remove)
    secret = _password(password, dev_password, confirm=False)
    status = propose_bank_change(kit, rpc, bank, secret, name, joining=joining, report=_report)
    _print_change(kit, status)


@council_app.command("approve")
def approve_command(
    kit: KitDir,
    rpc: Rpc,
    bank: Signer,
    add: Joining = None,
    remove: Leaving = None,
    password: Password = None,
    dev_password: DevPassword = False,
) -> None:
    """Another bank approves the change; the approval that makes the majority executes it."""
    name, joining = _target(add, remove)
    secret = _password(password, dev_password, confirm=False)
    status = approve_bank_change(kit, rpc, bank, secret, name, joining=joining, report=_report)
    _print_change(kit, status)


@council_app.command("execute")
def execute_command(
    kit: KitDir,
    rpc: Rpc,
    bank: Signer,
    add: Joining = None,
    remove: Leaving = None,
    password: Password = None,
    dev_password: DevPassword = False,
) -> None:
    """Execute an approved change whose execution was interrupted (approve does it by itself)."""
    name, joining = _target(add, remove)
    secret = _password(password, dev_password, confirm=False)
    status = execute_bank_change(kit, rpc, bank, secret, name, joining=joining, report=_report)
    _print_change(kit, status)


@council_app.command("status")
def status_command(kit: KitDir, rpc: Rpc, add: Joining = None, remove: Leaving = None) -> None:
    """Where a change stands on-chain: each step's proposal, approvals and approvers (no password needed)."""
    name, joining = _target(add, remove)
    _print_change(kit, bank_change_status(kit, rpc, name, joining=joining))
