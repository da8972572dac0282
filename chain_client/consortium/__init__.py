"""The bank consortium network kit: a Hyperledger Besu QBFT network with one validator per bank.

``init_kit`` generates the kit (keys in encrypted keystores, genesis with the validators in its QBFT
``extraData``, each node's configuration, static nodes, allowlists, compose files);
``deploy_consortium`` deploys the ledger's contracts to the running network with the banks' accounts;
``add_bank``/``remove_bank``/``rotate_node_key`` and ``validator_votes`` cover a bank joining, leaving
or replacing its validator key; ``hand_over`` gives the consortium to the banks' council, and
``propose_bank_change``/``approve_bank_change`` take a bank's joining or leaving on-chain by a majority
of the banks.
The command line is ``python -m chain_client consortium --help``; the operator's guide is
docs/operations.md. Nothing here runs consensus: the network is Besu's.
"""

from chain_client.consortium.council import (
    BankChange,
    ChangeStatus,
    approve_bank_change,
    bank_change_status,
    execute_bank_change,
    hand_over,
    plan_change,
    propose_bank_change,
)
from chain_client.consortium.deploy import ConsortiumDeployment, besu_permissioning, deploy_consortium
from chain_client.consortium.enode import NodeIdentity, enode_url, node_identity, parse_enode
from chain_client.consortium.errors import (
    BankChangeInvalid,
    ConsortiumError,
    CouncilRefused,
    DeploymentMismatch,
    ExtraDataInvalid,
    KitInvalid,
    NodeUnreachable,
    NotEnoughApprovals,
)
from chain_client.consortium.extra_data import (
    QbftExtraData,
    ValidatorVote,
    decode_extra_data,
    encode_extra_data,
    encode_genesis_extra_data,
)
from chain_client.consortium.genesis import build_genesis
from chain_client.consortium.kit import (
    DEV_KIT_PASSWORD,
    KitOptions,
    add_bank,
    bank_account,
    default_bank_names,
    export_node_key,
    init_kit,
    remove_bank,
    rotate_node_key,
)
from chain_client.consortium.network import BankNode, Network, QbftParameters, load_network
from chain_client.consortium.node_config import OnchainPermissioning
from chain_client.consortium.votes import VoteStep, discard_votes, validator_votes, votes_needed

__all__ = [
    "DEV_KIT_PASSWORD",
    "BankChange",
    "BankChangeInvalid",
    "BankNode",
    "ChangeStatus",
    "ConsortiumDeployment",
    "ConsortiumError",
    "CouncilRefused",
    "DeploymentMismatch",
    "ExtraDataInvalid",
    "KitInvalid",
    "KitOptions",
    "Network",
    "NodeIdentity",
    "NodeUnreachable",
    "NotEnoughApprovals",
    "OnchainPermissioning",
    "QbftExtraData",
    "QbftParameters",
    "ValidatorVote",
    "VoteStep",
    "add_bank",
    "approve_bank_change",
    "bank_account",
    "bank_change_status",
    "besu_permissioning",
    "build_genesis",
    "decode_extra_data",
    "default_bank_names",
    "deploy_consortium",
    "discard_votes",
    "encode_extra_data",
    "encode_genesis_extra_data",
    "enode_url",
    "execute_bank_change",
    "export_node_key",
    "hand_over",
    "init_kit",
    "load_network",
    "node_identity",
    "parse_enode",
    "plan_change",
    "propose_bank_change",
    "remove_bank",
    "rotate_node_key",
    "validator_votes",
    "votes_needed",
]
