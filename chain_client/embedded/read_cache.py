"""Trie reads shared between the node's calls on the same state: what ``eth_call`` and
``eth_estimateGas`` (and so every simulation before a send) read from the account and storage tries.

py-evm gives each execution a fresh state, whose account and storage caches start empty, so every
call walks the tries from the database again: about 40% of a donation's simulation went into those
walks (RLP-decoding trie nodes), once per call, for the same few contracts. A trie's content is fixed
by its root hash, so what a lookup at a given root answered holds for as long as that root exists:
:class:`ReadCachingVM` keys its caches by the account trie's state root and by each storage root,
and shares them between the calls the node's reader makes (under its read lock).

A call's own writes never reach a shared cache: the first write to a cached layer (py-evm flushes
its journals into it when a state root is computed) gives that layer a private cache again, as py-evm
has it. The miner does not use this VM; the blocks it builds are untouched.
"""

from __future__ import annotations

from typing import Any

from eth.abc import AtomicDatabaseAPI, DatabaseAPI
from eth.constants import BLANK_ROOT_HASH
from eth.db.cache import CacheDB
from eth.db.journal import JournalDB
from eth.db.storage import AccountStorageDB
from eth_typing import Address, Hash32
from lru import LRU

from chain_client.embedded.chain import EmbeddedAccountDB, EmbeddedState, EmbeddedVM

_ROOTS_KEPT = 256
"""State and storage roots whose lookups are kept (oldest used first out): a few blocks' worth of the
hot contracts' storage roots, and the long-lived ones of contracts that rarely change."""
_VALUES_PER_ROOT = 4_096


class _SharedLookups:
    """The lookups of each root, shared by every state the reader builds on it."""

    def __init__(self) -> None:
        self._by_root: LRU[bytes, LRU[bytes, bytes]] = LRU(_ROOTS_KEPT)

    def of(self, root: bytes) -> LRU[bytes, bytes]:
        found = self._by_root.get(root)
        if found is None:
            found = self._by_root[root] = LRU(_VALUES_PER_ROOT)
        return found

    def clear(self) -> None:
        self._by_root.clear()


ACCOUNTS = _SharedLookups()
STORAGE = _SharedLookups()


class _SharedCacheDB(CacheDB):
    """py-evm's ``CacheDB`` reading through a shared cache until its first write or reset, and from
    then on through a private one (as ``CacheDB`` does throughout)."""

    def __init__(self, db: DatabaseAPI, shared: LRU[bytes, bytes]) -> None:
        super().__init__(db)
        self._cached_values = shared

    def reset_cache(self) -> None:
        self._cached_values = LRU(self._cache_size)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.reset_cache()
        super().__setitem__(key, value)

    def __delitem__(self, key: bytes) -> None:
        self.reset_cache()
        super().__delitem__(key)


class _ReadCachingAccountDB(EmbeddedAccountDB):
    def __init__(self, db: AtomicDatabaseAPI, state_root: Hash32 = BLANK_ROOT_HASH) -> None:
        super().__init__(db, state_root)
        # The same layering as py-evm's (see AccountDB.__init__), with the cache shared per root.
        self._trie_cache = _SharedCacheDB(self._trie_logger, ACCOUNTS.of(state_root))
        self._journaltrie = JournalDB(self._trie_cache)

    def _get_address_store(self, address: Address) -> Any:
        if address not in self._account_stores:
            store = super()._get_address_store(address)
            if isinstance(store, AccountStorageDB):
                root = self._get_storage_root(address)
                # The same layering as py-evm's (see AccountStorageDB.__init__).
                store._storage_cache = _SharedCacheDB(store._storage_lookup, STORAGE.of(root))
                store._locked_changes = JournalDB(store._storage_cache)
                store._journal_storage = JournalDB(store._locked_changes)
            return store
        return super()._get_address_store(address)


class _ReadCachingState(EmbeddedState):
    account_db_class = _ReadCachingAccountDB


class ReadCachingVM(EmbeddedVM):
    """The embedded VM for the node's reads and calls: trie lookups shared per root (module docstring)."""

    _state_class = _ReadCachingState
