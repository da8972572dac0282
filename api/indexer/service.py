"""Build the indexer and the read model from the settings root (what the API process and the CLI do)."""

from __future__ import annotations

from api.indexer.errors import IndexerError
from api.indexer.indexer import Indexer
from api.indexer.read_model import ReadModel
from chain_client.client import ChainClient
from chain_client.config import Settings
from chain_client.deploy import load_deployment

__all__ = ["NoDeployment", "open_indexer", "open_read_model"]


class NoDeployment(IndexerError):
    """No ledger is recorded as deployed on this chain, so there is nothing to index."""


def open_indexer(settings: Settings, client: ChainClient) -> Indexer:
    """An indexer of the ledger recorded in ``settings.chain.deployment_path``, reading through ``client``
    into the read model at ``settings.indexer.url``.

    Raises :class:`NoDeployment` if no deployment of this chain is recorded, and
    :class:`~api.indexer.errors.ReadModelMismatch` if the read model was built for another one.
    """
    addresses = load_deployment(settings.chain.deployment_path, client)
    if addresses is None:
        raise NoDeployment(
            f"no ledger deployment of chain {client.chain_id} is recorded in {settings.chain.deployment_path}"
        )
    return Indexer.from_settings(client, settings.indexer, dict(addresses))


def open_read_model(settings: Settings) -> ReadModel:
    """The read model at ``settings.indexer.url`` (created empty if missing)."""
    return ReadModel.open(settings.indexer.url)
