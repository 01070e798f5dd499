"""Helpers shared by every test package: revert checks with their arguments, and the embedded
chain's one-run gas estimator.

``reverts(name, fn, *args, **kwargs)`` calls ``fn(*args, **kwargs)``, asserts that it reverts with
the custom error ``name`` and returns its decoded arguments; like OpenZeppelin's ``.withArgs``,
``.with_args(...)`` on the result asserts them too::

    reverts("MissingRole", raw, world, "patient_1", "ship", ...).with_args(account=world.address("patient_1"))
    reverts("InvalidPrice", fn, 0).with_args(0)        # every argument, in the error's order

``with reverting("NotSteward", account=addr):`` is the same check around a block.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from medchain.core.errors import ContractRevert

__all__ = ["Reverted", "one_run_gas_estimate", "reverting", "reverts", "same"]


def _norm(value: Any) -> Any:
    """A comparable form of a decoded (or expected) error argument: addresses and hex strings
    case-insensitively, bytes as bytes, enums as their value, tuples and lists alike."""
    if isinstance(value, enum.Enum):
        return _norm(value.value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(value[2:]) if len(value) % 2 == 0 else value.lower()
        except ValueError:
            return value
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value)
    return value


def same(actual: Any, expected: Any) -> bool:
    """``actual == expected`` after :func:`_norm` (``0xAbC…`` equals ``0xabc…`` and its bytes)."""
    return _norm(actual) == _norm(expected)


class Reverted(dict):
    """The decoded arguments of a revert (by parameter name), which :meth:`with_args` checks."""

    def __init__(self, error: ContractRevert) -> None:
        super().__init__(error.args_by_name)
        self.error = error

    def with_args(self, *values: Any, **expected: Any) -> Reverted:
        """Assert the error's arguments: ``values`` are all of them in order, ``expected`` some of
        them by name (both may be given). Returns ``self``."""
        if values:
            actual = tuple(self.values())
            assert len(values) == len(actual) and all(same(a, e) for a, e in zip(actual, values, strict=True)), (
                f"{self.error.name} arguments: expected {values}, got {self.error}")
        for key, want in expected.items():
            assert key in self, f"{self.error.name} has no argument {key!r}: {self.error}"
            assert same(self[key], want), f"{self.error.name}.{key}: expected {want!r}, got {self[key]!r} ({self.error})"
        return self


def reverts(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Reverted:
    """``fn(*args, **kwargs)`` reverts with the custom error ``name``; its arguments are returned
    (a dict by parameter name) and can be asserted with ``.with_args(...)``."""
    with pytest.raises(ContractRevert) as info:
        fn(*args, **kwargs)
    assert info.value.name == name, f"expected {name}, got {info.value}"
    return Reverted(info.value)


@contextlib.contextmanager
def reverting(name: str, *values: Any, **expected: Any) -> Iterator[None]:
    """The block reverts with ``name`` and (when given) these arguments, as :meth:`Reverted.with_args`."""
    with pytest.raises(ContractRevert) as info:
        yield
    assert info.value.name == name, f"expected {name}, got {info.value}"
    Reverted(info.value).with_args(*values, **expected)


def one_run_gas_estimate(state: Any, transaction: Any) -> int:
    """A py-evm gas estimator that runs the transaction once (py-evm's default binary search runs
    it about 13 times, which dominates the embedded chain's time): what the run used before
    refunds, plus the 1/64 that each call keeps back. Too low an estimate would fail the
    transaction (out of gas) and so the test; it can never hide a revert, which is raised as the
    default one does. Gas figures come from receipts (``make bench``), never from estimates."""
    from eth.vm.spoof import SpoofTransaction

    probe = SpoofTransaction(transaction, gas=state.gas_limit, gas_price=0)
    snapshot = state.snapshot()
    try:
        computation = state.apply_transaction(probe)
        if computation.is_error:
            raise computation.error
        return min(state.gas_limit, (transaction.intrinsic_gas + computation.get_gas_used()) * 64 // 63)
    finally:
        state.revert(snapshot)


def use_one_run_gas_estimate(chain: Any) -> None:
    """Install :func:`one_run_gas_estimate` on an embedded chain (nothing on a node)."""
    if chain._tester is not None:
        chain._tester.backend.chain.gas_estimator = one_run_gas_estimate
