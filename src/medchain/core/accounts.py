"""Accounts: eth-account local accounts from encrypted keystores, from an environment variable, or
(on development chains only) the deterministic development accounts.

Specs: ``dev:N`` (N-th development account), ``keystore:PATH`` (password from
``MEDCHAIN_KEYSTORE_PASSWORD`` or a prompt), ``env:VAR`` (hex private key in ``VAR``).
The project never writes a plaintext key to disk.
"""

from __future__ import annotations

import functools
import getpass
import json
import os
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from medchain.core.chain import DEV_HD_PATH, DEV_MNEMONIC, Chain
from medchain.core.errors import AccountError

PASSWORD_ENV = "MEDCHAIN_KEYSTORE_PASSWORD"
#: Highest key-derivation cost accepted in a keystore (a keystore is untrusted input: a file with an
#: absurd cost would hang the process or exhaust its memory). Geth's and eth-account's defaults
#: (scrypt n=2^18, r=8, p=1; pbkdf2 c=2^18) are well inside.
MAX_PBKDF2_ITERATIONS = 1 << 22
MAX_SCRYPT_MEMORY = 1 << 30  # bytes: 128 * n * r
MAX_SCRYPT_WORK = 1 << 22  # n * r * p
MAX_SCRYPT_PARALLEL = 4  # p (computed sequentially)
MAX_SCRYPT_BLOCK = 32  # r (large blocks are slow in pycryptodome whatever n is)
Account.enable_unaudited_hdwallet_features()


@functools.lru_cache(maxsize=32)
def dev_account(index: int) -> LocalAccount:
    """The ``index``-th deterministic development account (Anvil's and Ganache's mnemonic)."""
    if not 0 <= index < 1000:
        raise AccountError(f"development account index must be 0..999, got {index}")
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"{DEV_HD_PATH}/{index}")


def load_account(spec: str, chain: Chain | None = None, *, password: str | None = None) -> LocalAccount:
    """Load the account named by ``spec``.

    Args:
        spec: ``dev:N``, ``keystore:PATH`` or ``env:VAR``.
        chain: The chain it will sign for; development accounts are refused on non-development chains.
        password: The keystore password (else ``MEDCHAIN_KEYSTORE_PASSWORD``, else a prompt).

    Returns:
        A local signing account.

    Raises:
        AccountError: malformed spec, missing file or variable, wrong password, bad key, or a
            development account on a real network.
    """
    kind, _, value = spec.partition(":")
    if kind == "dev":
        if chain is not None and not chain.is_local:
            raise AccountError(f"development accounts are only for local chains, not chain id {chain.chain_id}")
        try:
            return dev_account(int(value or 0))
        except ValueError:
            raise AccountError(f"bad development account {spec!r}: use dev:0 … dev:999") from None
    if kind == "keystore":
        return _from_keystore(Path(value).expanduser(), password)
    if kind == "env":
        key = os.environ.get(value)
        if not key:
            raise AccountError(f"environment variable {value} is not set")
        try:
            return Account.from_key(key.strip())
        except Exception:  # noqa: BLE001 - eth-account raises several types for bad keys
            raise AccountError(f"environment variable {value} does not hold a valid private key") from None
    raise AccountError(f"unknown account spec {spec!r}: use dev:N, keystore:PATH or env:VAR")


def _from_keystore(path: Path, password: str | None) -> LocalAccount:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise AccountError(f"keystore {path} does not exist") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise AccountError(f"keystore {path} is not a readable JSON keystore ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or "crypto" not in {k.lower() for k in data}:
        raise AccountError(f"keystore {path} is not an Ethereum JSON keystore")
    _check_kdf_cost(data, path)
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = getpass.getpass(f"password for {path.name}: ")
    try:
        return Account.from_key(Account.decrypt(data, password))
    except ValueError:
        raise AccountError(f"wrong password for keystore {path}") from None
    except Exception as exc:  # noqa: BLE001 - malformed keystores raise assorted errors
        raise AccountError(f"keystore {path} is malformed ({exc.__class__.__name__})") from None


def _check_kdf_cost(data: dict, path: Path) -> None:
    """Refuse a keystore whose key derivation would take unreasonably long or much memory
    (version 3: ``crypto.kdf`` + ``crypto.kdfparams``; version 4: ``crypto.kdf.{function,params}``)."""
    crypto = next((v for k, v in data.items() if k.lower() == "crypto"), None)
    if not isinstance(crypto, dict):
        return  # eth-account reports the malformed structure
    kdf, params = crypto.get("kdf"), crypto.get("kdfparams")
    if isinstance(kdf, dict):
        params = kdf.get("params")
        kdf = kdf.get("function")
    if not isinstance(params, dict):
        return
    settings: dict[str, Any] = params

    def number(name: str) -> int:
        value = settings.get(name, 1)
        return value if isinstance(value, int) and not isinstance(value, bool) else 1

    if kdf == "pbkdf2":
        too_costly = number("c") > MAX_PBKDF2_ITERATIONS
    elif kdf == "scrypt":
        n, r, p = number("n"), number("r"), number("p")
        too_costly = 128 * n * r > MAX_SCRYPT_MEMORY or n * r * p > MAX_SCRYPT_WORK or p > MAX_SCRYPT_PARALLEL \
            or r > MAX_SCRYPT_BLOCK
    else:
        return
    if too_costly:
        shown = {k: params.get(k) for k in ("c", "n", "r", "p") if k in params}
        raise AccountError(f"keystore {path} asks for an unreasonable key-derivation cost ({kdf} {shown}); refused")


def create_keystore(path: Path, password: str, private_key: str | bytes | None = None) -> LocalAccount:
    """Write a new (or the given) key as an encrypted JSON keystore, readable by its owner only.

    Raises:
        AccountError: the file exists or the password is empty.
    """
    if not password:
        raise AccountError("a keystore needs a non-empty password")
    if path.exists():
        raise AccountError(f"{path} exists; refusing to overwrite a keystore")
    account = Account.from_key(private_key) if private_key is not None else Account.create()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(Account.encrypt(account.key, password), f)
    return account
