"""The one transaction path: local signing, nonce management, EIP-1559 fees, receipts, and reverts
decoded into :class:`~medchain.core.errors.ContractRevert` exceptions; plus a bulk mode that sends many
signed transactions before waiting for their receipts.
"""

from __future__ import annotations

import ast
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from eth_utils import function_signature_to_4byte_selector, keccak
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, TxParams

from medchain.core.chain import Chain
from medchain.core.contracts import decode_revert
from medchain.core.errors import ChainError, ContractRevert, InsufficientFundsError, MedChainError, NonceError, TransactionError

GAS_MARGIN = 1.2
PRIORITY_FEE = 10**9  # 1 gwei on local chains; real networks ask the node
RECEIPT_TIMEOUT = 120.0
#: seconds without a new receipt after which a bulk batch rebroadcasts what is still unmined
STALL_SECONDS = 5.0
logger = logging.getLogger(__name__)
_HEX = re.compile(r"0x[0-9a-fA-F]{8,}")
_locks: dict[tuple[int, str], threading.Lock] = {}


def revert_data(exc: BaseException) -> bytes | None:
    """Dig the revert data out of whatever a backend raised (web3, eth-tester, Ganache, Anvil)."""
    candidates: list[Any] = [getattr(exc, "data", None), *exc.args]
    for c in candidates:
        if isinstance(c, dict):
            candidates.extend(c.values())
            continue
        if isinstance(c, (bytes, bytearray)) and len(c) >= 4:
            return bytes(c)
        if isinstance(c, str):
            if c.startswith("execution reverted: b'") or c.startswith('execution reverted: b"'):
                try:
                    return ast.literal_eval(c[len("execution reverted: "):])
                except (ValueError, SyntaxError):
                    continue
            match = _HEX.search(c)
            if match:
                return bytes.fromhex(match.group(0)[2:])
    return None


def _as_revert(exc: BaseException) -> ContractRevert | None:
    text = " ".join(str(a) for a in exc.args).lower()
    name = type(exc).__name__
    if "revert" not in text and "ContractLogicError" not in name and "ContractCustomError" not in name \
            and "TransactionFailed" not in name and "ContractPanicError" not in name:
        return None
    data = revert_data(exc)
    if data is None:
        reason = re.sub(r"^execution reverted:?\s*", "", str(exc.args[0]) if exc.args else "").strip()
        return ContractRevert("Error", {"message": reason}) if reason else ContractRevert(None)
    return decode_revert(data)


_SELECTORS: dict[str, tuple[bytes, list[str]]] = {}


def calldata(fn: ContractFunction) -> bytes:
    """ABI-encode a bound contract function call: eth_abi directly for plain arguments (about ten
    times faster than web3's normaliser chain), web3's encoder for anything else."""
    abi = fn.abi
    key = str(fn.abi_element_identifier) if hasattr(fn, "abi_element_identifier") else str(abi)
    if key not in _SELECTORS:
        types = [_type_string(i) for i in abi.get("inputs", [])]
        _SELECTORS[key] = (function_signature_to_4byte_selector(f"{abi['name']}({','.join(types)})"), types)
    selector, types = _SELECTORS[key]
    try:
        return selector + abi_encode(types, list(fn.args))
    except Exception:  # noqa: BLE001 - e.g. ENS names or hex strings for bytes: let web3 normalise
        return bytes(HexBytes(fn._encode_transaction_data()))


def _type_string(item: Mapping[str, Any]) -> str:
    t = item["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(_type_string(c) for c in item["components"]) + ")" + t[5:]
    return t


@dataclass
class Receipt:
    """The outcome of one mined transaction."""

    tx_hash: str
    block_number: int
    gas_used: int
    status: int
    contract_address: str | None
    logs: list[Any]
    raw: Any = field(repr=False)


class Sender:
    """Signs and sends transactions for one local account on one chain.

    Nonces are kept per chain and account in :attr:`Chain.nonces`, so any number of senders and
    bulk batches for the same account share one sequence; a node that rejects a nonce makes the
    sender re-read it from the chain and retry once.
    """

    def __init__(self, chain: Chain, account: LocalAccount):
        self.chain = chain
        self.account = account
        self.address = account.address
        self._lock = _locks.setdefault((id(chain), account.address), threading.Lock())

    # ----------------------------------------------------------------- fees and nonces
    def fees(self) -> dict[str, int]:
        """EIP-1559 fee fields: ``maxFeePerGas`` = 2 x base fee + priority fee."""
        w3 = self.chain.w3
        base = int(w3.eth.get_block("latest").get("baseFeePerGas") or 0)
        tip = PRIORITY_FEE
        if not self.chain.is_local:
            try:
                tip = int(w3.eth.max_priority_fee)
            except Exception:  # noqa: BLE001 - some nodes lack eth_maxPriorityFeePerGas
                pass
        return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}

    def _next_nonce(self) -> int:
        key = self.address
        if key not in self.chain.nonces:
            self.chain.nonces[key] = self.chain.w3.eth.get_transaction_count(self.address, "pending")
        nonce = self.chain.nonces[key]
        self.chain.nonces[key] = nonce + 1
        return nonce

    def resync_nonce(self) -> int:
        """Forget the cached nonce and read it again from the chain (after a dropped transaction)."""
        with self._lock:
            self.chain.nonces.pop(self.address, None)
            return self.chain.w3.eth.get_transaction_count(self.address, "pending")

    def _forget_nonce(self) -> None:
        """Drop the cached nonce without asking the node (which may be gone): the next send re-reads it."""
        with self._lock:
            self.chain.nonces.pop(self.address, None)

    # ----------------------------------------------------------------- building
    def estimate(self, tx: dict[str, Any]) -> int:
        """Estimate gas for ``tx``.

        Raises:
            ContractRevert: the call reverts (decoded custom error).
        """
        # cast: the keys kept are TxParams fields, the values those _base_tx gave them
        call_tx = cast(TxParams, {k: v for k, v in tx.items() if k in ("from", "to", "data", "value")})
        try:
            return int(self.chain.w3.eth.estimate_gas(call_tx))
        except Exception as exc:  # noqa: BLE001 - each backend raises its own revert type; classified below
            failure: Exception = exc
            if self.chain.kind == "embedded":
                # web3's tester provider decodes estimate reverts whose payload looks like a string as
                # Error(string), losing the selector; eth_call keeps the raw revert data.
                try:
                    self.chain.w3.eth.call(call_tx)
                except Exception as replay:  # noqa: BLE001 - each backend raises its own type; _classify decodes it
                    failure = replay
            raise self._classify(failure) from None

    def _base_tx(self, fn: ContractFunction | None, to: str | None, data: bytes | str | None, value: int) -> dict[str, Any]:
        if fn is not None:
            to = fn.address
            data = calldata(fn)
        tx: dict[str, Any] = {"from": self.address, "value": value, "chainId": self.chain.chain_id,
                              "data": HexBytes(data or b"")}
        if to is not None:
            tx["to"] = to
        return tx

    def sign(self, tx: dict[str, Any]) -> bytes:
        """Assign the next nonce and sign ``tx`` (which must carry gas and fees)."""
        with self._lock:
            tx["nonce"] = self._next_nonce()
        tx.setdefault("type", 2)
        return bytes(self.account.sign_transaction(tx).raw_transaction)

    # ----------------------------------------------------------------- sending
    def transact(self, fn: ContractFunction | None = None, *, to: str | None = None, data: bytes | str | None = None,
                 value: int = 0, gas: int | None = None) -> Receipt:
        """Send one transaction and wait for its receipt (:meth:`send`, then :meth:`wait`).

        Args:
            fn: A bound contract function (``contract.functions.name(args)``); or give ``to``/``data``.
            to: Recipient for a raw call or ``None`` with ``data`` for a contract creation.
            data: Calldata or creation code.
            value: Wei to send.
            gas: Gas limit; estimated (plus 20 %) when omitted.

        Returns:
            The :class:`Receipt` of the mined transaction.

        Raises:
            ContractRevert: the transaction reverts (decoded), at estimation or once mined.
            InsufficientFundsError: the account cannot pay.
            NonceError: the node keeps rejecting the nonce.
            TransactionError: the receipt did not arrive in time.
        """
        return self.wait(self.send(fn, to=to, data=data, value=value, gas=gas))

    def send(self, fn: ContractFunction | None = None, *, to: str | None = None, data: bytes | str | None = None,
             value: int = 0, gas: int | None = None) -> str:
        """Sign and send one transaction without waiting for it; returns its hash (give it to :meth:`wait`).

        The arguments are those of :meth:`transact`.

        Raises:
            ContractRevert: gas estimation reverted (decoded).
            InsufficientFundsError: the account cannot pay.
            NonceError: the node keeps rejecting the nonce.
            ChainError: the node stopped answering.
        """
        try:
            tx = self._base_tx(fn, to, data, value)
            tx["gas"] = gas or int(self.estimate(tx) * GAS_MARGIN) + 10_000
            tx.update(self.fees())
            return self._sign_and_send(tx)
        except MedChainError:
            raise
        except Exception as exc:  # noqa: BLE001 - a node that went away mid-way: _classify names it
            raise self._classify(exc) from None

    def deploy(self, bytecode: str, abi: list[Any], *args: Any, gas: int | None = None) -> Receipt:
        """Deploy a contract from its creation code and constructor arguments."""
        data = self.chain.w3.eth.contract(abi=abi, bytecode=bytecode).constructor(*args).data_in_transaction
        return self.transact(data=data, gas=gas)

    def _sign_and_send(self, tx: dict[str, Any]) -> str:
        for attempt in (0, 1):
            raw = self.sign(dict(tx))
            try:
                return self.chain.w3.eth.send_raw_transaction(raw).to_0x_hex()
            except Exception as exc:  # noqa: BLE001 - nonce, funds and revert errors come as many types; classified below
                text = str(exc).lower()
                if "nonce" in text and attempt == 0:
                    self.resync_nonce()
                    continue
                self._forget_nonce()
                raise self._classify(exc) from None
        raise NonceError(f"the node keeps rejecting the nonce of {self.address}")

    def _classify(self, exc: BaseException) -> Exception:
        text = str(exc).lower()
        if any(s in text for s in ("insufficient funds", "insufficient balance", "enough funds", "cannot afford")):
            return InsufficientFundsError(f"{self.address} cannot pay for this transaction (balance too low)")
        if "nonce" in text:
            return NonceError(f"nonce rejected for {self.address}: {exc}")
        revert = _as_revert(exc)
        if revert is not None:
            return revert
        if _connection_lost(exc):
            return ChainError(f"the node at {self.chain.endpoint} stopped answering ({type(exc).__name__})")
        return TransactionError(f"{type(exc).__name__}: {exc}")

    def wait(self, tx_hash: str, timeout: float = RECEIPT_TIMEOUT) -> Receipt:
        """Wait for ``tx_hash`` to be mined; a failed transaction raises its decoded revert.

        Raises:
            TransactionError: not mined in time; when the node no longer knows the transaction or
                its nonce was used by another one (dropped or replaced), the message says so and the
                cached nonce is re-read, so the next transaction of this account goes through.
            ChainError: the node stopped answering.
        """
        try:
            r = self.chain.w3.eth.wait_for_transaction_receipt(HexStr(tx_hash), timeout=timeout, poll_latency=0.02)
        except Exception as exc:  # noqa: BLE001 - timeouts, dropped hashes and node errors differ per backend; sorted out below
            if "not in the chain" in str(exc) or "timeout" in type(exc).__name__.lower():
                raise self._not_mined(tx_hash, timeout) from None
            raise self._classify(exc) from None
        return self.receipt(tx_hash, r)

    def _not_mined(self, tx_hash: str, timeout: float) -> Exception:
        """Why ``tx_hash`` has no receipt: still pending, or dropped/replaced (then the nonce is resynced)."""
        w3 = self.chain.w3
        try:
            try:
                tx = w3.eth.get_transaction(HexStr(tx_hash))
            except Exception:  # noqa: BLE001 - web3 raises TransactionNotFound, eth-tester its own: unknown either way
                tx = None
            mined_nonce = w3.eth.get_transaction_count(self.address, "latest")
        except Exception as exc:  # noqa: BLE001 - the node may be gone: _classify names what happened
            return self._classify(exc)
        if tx is None or int(tx["nonce"]) < mined_nonce:
            self._forget_nonce()
            return TransactionError(f"transaction {tx_hash} was dropped or replaced (the node does not know it, or "
                                    f"its nonce is used); the account's next nonce is {mined_nonce}: send it again")
        return TransactionError(f"transaction {tx_hash} was not mined within {timeout:.0f} s (still pending)")

    def receipt(self, tx_hash: str, r: Any) -> Receipt:
        """A :class:`Receipt` from web3's receipt ``r``; a failed transaction raises its decoded revert."""
        receipt = Receipt(tx_hash=tx_hash, block_number=r["blockNumber"], gas_used=r["gasUsed"], status=r["status"],
                          contract_address=r.get("contractAddress"), logs=list(r["logs"]), raw=r)
        if receipt.status != 1:
            raise self._replay_failure(tx_hash, r)
        return receipt

    def _replay_failure(self, tx_hash: str, r: Any) -> Exception:
        """Re-run a failed transaction as a call to recover its revert data: at the block before it,
        then on the latest state (where the node keeps no history, as Anvil --prune-history, or when
        the failure depended on the block's time)."""
        tx = self.chain.w3.eth.get_transaction(HexStr(tx_hash))
        # cast: TxParams has no None "to"; a failed contract creation is replayed as the node sent it
        call = cast(TxParams, {"from": tx["from"], "to": tx.get("to"), "data": tx["input"], "value": tx["value"],
                               "gas": tx["gas"]})
        for block in (r["blockNumber"] - 1, "latest"):
            try:
                self.chain.w3.eth.call(call, block)
            except Exception as exc:  # noqa: BLE001 - each backend raises its own revert type; _classify decodes it
                classified = self._classify(exc)
                if isinstance(classified, ContractRevert):
                    return classified
            # No revert here: the failure may depend on the block's time (a deadline passed);
            # the latest state, at a later time, still fails the same way.
        if r["gasUsed"] >= tx["gas"]:
            return TransactionError(f"transaction {tx_hash} ran out of gas ({tx['gas']})")
        return TransactionError(f"transaction {tx_hash} failed (status 0) without revert data")

    def bulk(self) -> Bulk:
        """A batch that signs and sends many transactions, then waits for all receipts."""
        return Bulk(self)


class BulkError(TransactionError):
    """Some transactions of a bulk batch failed; ``failures`` maps batch index to its error."""

    def __init__(self, failures: dict[int, Exception], receipts: list[Receipt | None]):
        self.failures = failures
        self.receipts = receipts
        first = min(failures)
        super().__init__(f"{len(failures)} of {len(receipts)} transactions failed; first (#{first}): {failures[first]}")


class Bulk:
    """Send many transactions without waiting for each receipt.

    Transactions are signed as they are added (their hashes are known at once) and sent in
    JSON-RPC batches of ``batch_size`` over HTTP (one by one on the embedded chain). Gas is estimated
    once per (target, selector) and reused with a margin, fees once per batch. Use as a context
    manager; leaving it flushes and waits for every receipt, raising :class:`BulkError` if any
    failed (successful ones stay on chain; nothing is sent twice)::

        with sender.bulk() as batch:
            for org in orgs:
                batch.add(registry.functions.registerOrganization(*org))
        receipts = batch.receipts
    """

    def __init__(self, sender: Sender, batch_size: int = 64):
        self.sender = sender
        self.batch_size = batch_size
        self.hashes: list[str] = []
        self.receipts: list[Receipt | None] = []
        self._pending: list[tuple[int, bytes]] = []
        self._raw: dict[str, bytes] = {}  # signed transactions by hash, to rebroadcast any a node dropped
        self._send_errors: dict[int, Exception] = {}
        self._gas: dict[tuple[str | None, bytes], int] = {}
        self._fees: dict[str, int] | None = None
        self._rpc = batch_provider(sender.chain)
        self._batched = self._rpc is not None

    def add(self, fn: ContractFunction | None = None, *, to: str | None = None, data: bytes | None = None,
            value: int = 0, gas: int | None = None) -> int:
        """Sign one transaction and queue it for sending; returns its index in the batch.

        Raises:
            ContractRevert: gas estimation reverted. ChainError: the node stopped answering.
        """
        try:
            tx = self.sender._base_tx(fn, to, data, value)
            if gas is None:
                key = (tx.get("to"), bytes(tx["data"][:4]))
                if key not in self._gas:
                    self.flush()  # estimation must see the state the queued transactions create
                    self._gas[key] = int(self.sender.estimate(tx) * 1.5) + 20_000
                gas = self._gas[key]
            tx["gas"] = gas
            if self._fees is None:
                self._fees = self.sender.fees()
        except MedChainError:
            raise
        except Exception as exc:  # noqa: BLE001 - a node that went away, classified
            raise self.sender._classify(exc) from None
        tx.update(self._fees)
        raw = self.sender.sign(tx)
        self.hashes.append("0x" + keccak(raw).hex())
        self._raw[self.hashes[-1]] = raw
        self._pending.append((len(self.hashes) - 1, raw))
        if len(self._pending) >= self.batch_size:
            self.flush()
        return len(self.hashes) - 1

    def flush(self) -> None:
        """Send every queued transaction now."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        w3 = self.sender.chain.w3
        if self._rpc is None:
            for index, raw in pending:
                try:
                    w3.eth.send_raw_transaction(raw)
                except Exception as exc:  # noqa: BLE001 - classified and kept per transaction: one refusal must not stop the batch
                    self._send_errors[index] = self.sender._classify(exc)
            return
        try:
            responses = self._rpc.make_batch_request([(RPCEndpoint("eth_sendRawTransaction"), ["0x" + raw.hex()])
                                                      for _, raw in pending])
        except Exception as exc:  # noqa: BLE001 - a node that went away or refused the batch, classified
            raise self.sender._classify(exc) from None
        if isinstance(responses, dict):  # the node refused the whole batch
            responses = [responses] * len(pending)
        # strict=False: a request the node left unanswered is caught when its receipt is awaited
        for (index, _), response in zip(pending, sorted(responses, key=_rpc_id), strict=False):
            if "error" in response:
                self._send_errors[index] = self.sender._classify(TransactionError(str(response["error"])))
        if self._send_errors:
            self.sender.resync_nonce()

    def _resend(self, hashes: list[str]) -> None:
        """Rebroadcast the still unmined transactions of ``hashes``, in nonce (batch) order.

        A node may drop a transaction from its pool (seen on Anvil under load); every later nonce
        then waits forever behind the gap. Sending the same signed bytes again cannot double-spend:
        a node answers "already known" or "nonce too low" for one it has, and those answers are ignored.
        """
        assert self._rpc is not None
        logger.info("rebroadcasting %d unmined transactions", len(hashes))
        try:
            self._rpc.make_batch_request([(RPCEndpoint("eth_sendRawTransaction"), ["0x" + self._raw[h].hex()])
                                          for h in hashes])
        except Exception as exc:  # noqa: BLE001 - the next poll reports a node that went away
            logger.debug("rebroadcast failed: %s", exc)

    def wait(self) -> list[Receipt]:
        """Flush, then wait for every receipt.

        Raises:
            BulkError: at least one transaction failed (with every failure, decoded).
        """
        self.flush()
        failures: dict[int, Exception] = dict(self._send_errors)
        mined: dict[str, Any] = {}
        if self._batched:
            from web3._utils.method_formatters import receipt_formatter

            try:
                raw = fetch_receipts(self.sender.chain.w3, [h for i, h in enumerate(self.hashes) if i not in failures],
                                     resend=self._resend)
            except MedChainError:
                raise
            except Exception as exc:  # noqa: BLE001 - a node that went away, classified
                raise self.sender._classify(exc) from None
            mined = {h: receipt_formatter(r) for h, r in raw.items()}
        self.receipts = []
        for i, h in enumerate(self.hashes):
            if i in failures:
                self.receipts.append(None)
                continue
            try:
                self.receipts.append(self.sender.receipt(h, mined[h]) if h in mined else self.sender.wait(h))
            except TransactionError as exc:
                failures[i] = exc
                self.receipts.append(None)
        if failures:
            raise BulkError(failures, self.receipts)
        return [r for r in self.receipts if r is not None]

    def __enter__(self) -> Bulk:
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is None:
            self.wait()


def _rpc_id(response: Mapping[str, Any]) -> int:
    """The id of one answer of a JSON-RPC batch (web3 numbers its requests), to restore the request order."""
    return int(response.get("id") or 0)


def batch_provider(chain: Chain) -> JSONBaseProvider | None:
    """The provider of ``chain`` when it takes JSON-RPC batches (HTTP and WebSocket nodes), else ``None``
    (the embedded chain sends one by one)."""
    provider = chain.w3.provider
    return provider if isinstance(provider, JSONBaseProvider) and chain.kind != "embedded" else None


def fetch_receipts(w3: Any, hashes: list[str], *, timeout: float = RECEIPT_TIMEOUT, batch: int = 200,
                   resend: Callable[[list[str]], None] | None = None, stall: float = STALL_SECONDS) -> dict[str, Any]:
    """Wait until every transaction of ``hashes`` is mined, polling in JSON-RPC batches.

    Args:
        w3: a Web3 whose provider takes JSON-RPC batches.
        hashes: transaction hashes, in nonce order.
        timeout: seconds to wait in all.
        batch: receipts asked for per JSON-RPC batch.
        resend: called with the unmined hashes (in order) whenever no new receipt came for ``stall``
            seconds, to rebroadcast transactions a node dropped.
        stall: seconds without progress before ``resend`` is called.

    Returns:
        The raw receipts by hash (the node's JSON, as web3's caching of them).

    Raises:
        TransactionError: some were not mined within ``timeout``.
    """
    import time

    pending = list(hashes)
    found: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    progress = time.monotonic()
    while pending:
        for i in range(0, len(pending), batch):
            chunk = pending[i : i + batch]
            responses = w3.provider.make_batch_request([("eth_getTransactionReceipt", [h]) for h in chunk])
            if isinstance(responses, dict):
                responses = [responses] * len(chunk)
            # strict=False: a hash the node left unanswered stays pending and is polled again
            for h, r in zip(chunk, sorted(responses, key=_rpc_id), strict=False):
                if r.get("result"):
                    found[h] = r["result"]
        still = [h for h in pending if h not in found]
        now = time.monotonic()
        if len(still) < len(pending):
            progress = now
        pending = still
        if pending:
            if resend is not None and now - progress > stall:
                resend(pending)
                progress = now
            if now > deadline:
                raise TransactionError(f"{len(pending)} transactions were not mined within {timeout:.0f} s")
            time.sleep(0.02)
    return found


def _connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` says the node stopped answering (not a revert or a rejected request)."""
    return isinstance(exc, (ConnectionError, OSError)) or "connection" in str(exc).lower()


def call(fn: ContractFunction, *, sender: str | None = None, block: Any = "latest") -> Any:
    """Call a view function; a revert raises the decoded :class:`ContractRevert`."""
    try:
        default = fn.w3.eth.default_account
        origin = sender or (default if isinstance(default, str) else None)
        return fn.call({"from": origin} if origin else {}, block_identifier=block)
    except Exception as exc:  # noqa: BLE001 - each backend raises its own revert and connection types; sorted out below
        revert = _as_revert(exc)
        if revert is not None:
            raise revert from None
        if _connection_lost(exc):
            where = getattr(fn.w3.provider, "endpoint_uri", None) or "the node"
            raise ChainError(f"the node at {where} stopped answering ({type(exc).__name__}) "
                             f"during a call to {fn.fn_name}") from None
        raise ChainError(f"call to {fn.fn_name} failed: {type(exc).__name__}: {exc}") from None


def events(contract: Any, event_name: str, receipts: Iterable[Receipt] | Receipt) -> list[dict[str, Any]]:
    """Decode ``event_name`` logs of ``contract`` from one or more receipts, as plain dicts."""
    if isinstance(receipts, Receipt):
        receipts = [receipts]
    ev = getattr(contract.events, event_name)()
    out = []
    for r in receipts:
        for log in r.logs:
            if log["address"].lower() != contract.address.lower():
                continue
            try:
                out.append(dict(ev.process_log(log)["args"]))
            except Exception:  # noqa: BLE001 - another event of the same contract
                continue
    return out
