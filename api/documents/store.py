"""An encrypted, content-addressed store for the documents whose digests go on-chain.

A document is addressed by keccak256 of its plaintext: the digest the chain records, so anyone holding
the document can check it against the ledger, and the store can check what it returns. At rest each
document is sealed with AES-256-GCM (``cryptography``) under the store's key, with a fresh 96-bit nonce
and the digest as associated data, so a file swapped for another one's fails to open.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_utils import keccak

from chain_client.config import DocumentSettings, load_settings

_NONCE_BYTES = 12


class DocumentStoreError(Exception):
    """Base of the document store's errors."""


class DocumentNotFound(DocumentStoreError):
    def __init__(self, digest: bytes) -> None:
        super().__init__(f"no document 0x{digest.hex()}")
        self.digest = digest


class DocumentCorrupted(DocumentStoreError):
    """The stored file does not decrypt under the key, or decrypts to something with another digest."""

    def __init__(self, digest: bytes, reason: str) -> None:
        super().__init__(f"document 0x{digest.hex()} is corrupted: {reason}")
        self.digest = digest
        self.reason = reason


def document_digest(content: bytes) -> bytes:
    """keccak256 of a document's bytes: its address in the store and on-chain."""
    return keccak(content)


class DocumentStore:
    """Seal, keep and return documents by digest."""

    def __init__(self, directory: Path, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError(f"the document key must be 32 bytes, got {len(key)}")
        self.directory = directory
        self._aead = AESGCM(key)

    @classmethod
    def from_settings(cls, settings: DocumentSettings | None = None) -> DocumentStore:
        settings = settings or load_settings().documents
        return cls(settings.directory, bytes.fromhex(settings.key_hex.get_secret_value()))

    def _path(self, digest: bytes) -> Path:
        name = digest.hex()
        return self.directory / name[:2] / name

    def put(self, content: bytes) -> bytes:
        """Store ``content`` sealed; returns its digest (storing the same document twice is harmless)."""
        digest = document_digest(content)
        path = self._path(digest)
        if path.exists():
            return digest
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, content, digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(sealed)
        partial.replace(path)
        return digest

    def get(self, digest: bytes) -> bytes:
        """The document with ``digest``; raises :class:`DocumentNotFound` or :class:`DocumentCorrupted`."""
        try:
            sealed = self._path(digest).read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(digest) from None
        try:
            content = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], digest)
        except InvalidTag:
            raise DocumentCorrupted(digest, "authentication failed") from None
        if document_digest(content) != digest:
            raise DocumentCorrupted(digest, "content does not match its digest")
        return content

    def __contains__(self, digest: object) -> bool:
        return isinstance(digest, bytes) and self._path(digest).exists()
