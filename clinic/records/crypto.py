"""Encryption at rest for the case store (opt-in: `clinic store encrypt`).

The key is derived from a passphrase with scrypt (cryptography's Scrypt KDF) and a
random 16-byte salt; parameters N=2**17, r=8, p=1 follow the OWASP Password Storage
Cheat Sheet's scrypt recommendation. Data is sealed with AES-256-GCM (authenticated:
a changed byte or a wrong key fails, it never decrypts to garbage), a fresh random
96-bit nonce per message, and associated data that binds each message to its place
(snapshot sequence, journal record number, index row), so records cannot be swapped.

The salt and parameters travel in the clear with the encrypted files (they are not
secret); a short check value derived from the key tells a wrong passphrase apart
from damage. The passphrase comes from the caller, else CLINIC_PASSPHRASE.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import Any

from clinic.exceptions import StoreError

CIPHER = "AES-256-GCM"
KDF_N, KDF_R, KDF_P = 2**17, 8, 1
KDF: dict[str, Any] = {"name": "scrypt", "n": KDF_N, "r": KDF_R, "p": KDF_P}
PASSPHRASE_ENV = "CLINIC_PASSPHRASE"
_NONCE = 12
_keys: dict[tuple[str, int, int, int, bytes], bytes] = {}  # derived keys, per process


class PassphraseNeeded(StoreError):
    """The store is encrypted and no passphrase was given."""


class WrongPassphrase(StoreError):
    """The passphrase does not open this store."""


class SealBroken(Exception):
    """A sealed message failed authentication (wrong key, or damaged bytes)."""


def passphrase_from_env() -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value if value else None


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    cache_key = (hashlib.sha256(passphrase.encode()).hexdigest(), n, r, p, salt)
    key = _keys.get(cache_key)
    if key is None:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
        _keys[cache_key] = key
    return key


def _check_value(key: bytes) -> str:
    return hmac.new(key, b"clinic case store key check", hashlib.sha256).hexdigest()[:32]


@dataclass
class Sealer:
    """Seals and opens messages with one key; `header` is what travels in the clear."""

    key: bytes
    header: dict[str, Any]
    _aead: Any = field(default=None, repr=False)

    def _cipher(self) -> Any:
        if self._aead is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._aead = AESGCM(self.key)
        return self._aead

    def seal(self, data: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        sealed: bytes = self._cipher().encrypt(nonce, data, aad)
        return nonce + sealed

    def open(self, blob: bytes, aad: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        if len(blob) < _NONCE + 16:
            raise SealBroken("too short")
        try:
            data: bytes = self._cipher().decrypt(blob[:_NONCE], blob[_NONCE:], aad)
        except InvalidTag:
            raise SealBroken("authentication failed") from None
        return data

    def seal_text(self, data: bytes, aad: bytes) -> bytes:
        """Sealed and base64-encoded: safe inside a line of text."""
        return base64.b64encode(self.seal(data, aad))

    def open_text(self, text: bytes, aad: bytes) -> bytes:
        try:
            blob = base64.b64decode(text, validate=True)
        except ValueError:
            raise SealBroken("not base64") from None
        return self.open(blob, aad)

    @property
    def check(self) -> str:
        return str(self.header["check"])


def _check_passphrase(passphrase: str | None) -> str:
    if passphrase is None:
        raise PassphraseNeeded(
            "the case store is encrypted: give its passphrase (set CLINIC_PASSPHRASE, "
            "or run the command in a terminal to be asked)"
        )
    if not passphrase:
        raise WrongPassphrase("the passphrase is empty")
    return passphrase


def new_sealer(passphrase: str | None) -> Sealer:
    """A sealer with a fresh salt, for encrypting (or re-keying) a store."""
    passphrase = _check_passphrase(passphrase)
    if len(passphrase) < 8:
        raise StoreError("choose a passphrase of at least 8 characters")
    salt = os.urandom(16)
    key = _derive(passphrase, salt, KDF_N, KDF_R, KDF_P)
    header = {
        "cipher": CIPHER,
        "kdf": {**KDF, "salt": base64.b64encode(salt).decode()},
        "check": _check_value(key),
    }
    return Sealer(key, header)


# Bounds on what a header may ask for: a damaged (or planted) header must not make
# scrypt fail with an odd error or claim gigabytes of memory (scrypt needs 128*n*r
# bytes; RFC 7914 §2 requires n to be a power of two greater than 1).
_N_RANGE = (2**14, 2**22)
_R_MAX, _P_MAX, _MEMORY_MAX = 32, 16, 2**30


def _kdf_parameters(kdf: dict[str, Any]) -> tuple[int, int, int]:
    """n, r and p from a header, ValueError when they are not ones this clinic uses."""
    n, r, p = kdf["n"], kdf["r"], kdf["p"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)):
        raise ValueError("scrypt parameters are not whole numbers")
    if not (_N_RANGE[0] <= n <= _N_RANGE[1]) or n & (n - 1):
        raise ValueError("scrypt n is not a power of two in range")
    if not (1 <= r <= _R_MAX and 1 <= p <= _P_MAX) or 128 * n * r > _MEMORY_MAX:
        raise ValueError("scrypt r or p out of range")
    return n, r, p


def unlock(header: dict[str, Any], passphrase: str | None, where: object = None) -> Sealer:
    """The sealer for an encrypted store, from its clear header and the passphrase."""
    try:
        kdf = header["kdf"]
        if header.get("cipher") != CIPHER or kdf.get("name") != "scrypt":
            raise StoreError(
                f"the store is encrypted with {header.get('cipher')!s}, which this clinic "
                "does not know; upgrade clinic",
                path=where,
            )
        salt = base64.b64decode(kdf["salt"], validate=True)
        n, r, p = _kdf_parameters(kdf)
        check = str(header["check"])
    except (KeyError, TypeError, ValueError, AttributeError):
        from clinic.exceptions import StoreDamaged

        raise StoreDamaged(
            "the encryption header is damaged; the store was left as it is", path=where
        ) from None
    passphrase = _check_passphrase(passphrase)
    key = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(_check_value(key), check):
        raise WrongPassphrase("wrong passphrase for the case store", path=where)
    return Sealer(key, dict(header))
