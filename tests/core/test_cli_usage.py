"""The command line's contract with scripts: one-line errors and documented exit codes."""

from __future__ import annotations

import logging

import pytest

from medchain import cli as cli_module
from medchain.core.accounts import dev_account
from medchain.core.registry import encryption_key_of


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.parametrize("argv, says", [
    (("demo", "--bogus"), "No such option '--bogus'"),
    (("participants", "register-org"), "Missing argument 'ADDRESS'"),
    (("records", "put", "/nonexistent/record.json", "--patient", "0x0"), "'/nonexistent/record.json' does not exist"),
    (("no-such-command",), "No such command 'no-such-command'"),
])
def test_a_usage_error_is_one_line_and_exits_2(capsys, argv, says):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and says in err
    assert "--help" in err


def test_a_user_error_is_one_line_and_exits_1(capsys):
    code, _, err = run(capsys, "--account", "dev:999999999999", "account", "show")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: ")


def test_account_show_key_prints_the_registrable_encryption_key(capsys):
    code, out, _ = run(capsys, "--account", "dev:3", "account", "show", "--key")
    assert code == 0
    assert out.strip() == encryption_key_of(dev_account(3)).hex()
    assert len(bytes.fromhex(out.strip())) == 33


@pytest.mark.parametrize("flags, level", [((), logging.WARNING), (("-v",), logging.INFO), (("-vv",), logging.DEBUG),
                                          (("-q",), logging.ERROR)])
def test_verbosity_sets_the_library_log_level(capsys, flags, level):
    logger = logging.getLogger("medchain")
    before, handlers = logger.level, list(logger.handlers)
    try:
        run(capsys, *flags, "account", "show", "--key")
        assert logger.level == level
    finally:
        logger.setLevel(before)
        logger.handlers[:] = handlers


def test_a_mixed_case_address_with_a_wrong_checksum_is_refused(capsys):
    good = dev_account(1).address
    typo = good[:-1] + (good[-1].lower() if good[-1].isupper() else good[-1].upper())
    if typo[-1].isdigit():  # a digit has no case: flip the case of the last letter instead
        i = max(i for i, c in enumerate(good) if c.isalpha() and i > 1)
        typo = good[:i] + good[i].swapcase() + good[i + 1:]
    code, _, err = run(capsys, "deploy", "--governance", typo)
    assert code == 1
    assert "wrong EIP-55 checksum" in err and good in err


def test_lower_and_upper_case_addresses_are_accepted():
    from medchain.core.registry import check_address

    good = dev_account(1).address
    assert check_address(good.lower()) == good
    assert check_address("0x" + good[2:].upper()) == good
    assert check_address(good) == good
