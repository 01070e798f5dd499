"""The shared revert helper (tests/helpers.py): it checks the error's name and, like OpenZeppelin's
``.withArgs``, its arguments."""

from __future__ import annotations

import pytest

from medchain.core.errors import ContractRevert

from .helpers import reverting, reverts, same

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _raise(name="MissingRole", **args):
    raise ContractRevert(name, args)


def test_reverts_returns_the_arguments_and_checks_them():
    args = reverts("MissingRole", _raise, account=ADDRESS, role=16)
    assert args == {"account": ADDRESS, "role": 16}
    assert args.with_args(account=ADDRESS.lower()) is args  # addresses compare case-insensitively
    args.with_args(ADDRESS, 16)  # every argument, in order
    with pytest.raises(AssertionError, match="role"):
        args.with_args(role=8)
    with pytest.raises(AssertionError, match="no argument 'holder'"):
        args.with_args(holder=ADDRESS)
    with pytest.raises(AssertionError, match="arguments"):
        args.with_args(ADDRESS)  # not all of them


def test_another_error_or_no_revert_fails():
    with pytest.raises(AssertionError, match="expected NotSteward, got MissingRole"):
        reverts("NotSteward", _raise, account=ADDRESS)
    with pytest.raises(pytest.fail.Exception):
        reverts("MissingRole", lambda: None)


def test_bytes_and_hex_compare_alike():
    assert same(b"\x01" * 32, "0x" + "01" * 32) and same(("0xAB",), [b"\xab"]) and not same(b"\x01", b"\x02")
    with reverting("UnknownClaim", claimId="0x" + "00" * 32):
        _raise("UnknownClaim", claimId=b"\0" * 32)
    with pytest.raises(AssertionError):
        with reverting("UnknownClaim", claimId="0x" + "11" * 32):
            _raise("UnknownClaim", claimId=b"\0" * 32)
