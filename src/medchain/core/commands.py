"""Shared plumbing of the ``medchain`` sub-commands (each domain's ``_cli`` module builds on it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from medchain.core.chain import Chain
    from medchain.core.deploy import Suite
    from medchain.core.tx import Sender


class Context:
    """Lazily opened chain, account and suite, shared by the sub-commands of one invocation."""

    def __init__(self, chain_spec: str, account_spec: str, deployments: Path, manifest: Path | None):
        self.chain_spec = chain_spec
        self.account_spec = account_spec
        self.deployments = deployments
        self.manifest = manifest
        self._chain: Chain | None = None

    @property
    def chain(self) -> Chain:
        from medchain.core.chain import connect

        if self._chain is None:
            self._chain = connect(self.chain_spec)
        return self._chain

    def sender(self) -> Sender:
        from medchain.core.accounts import load_account
        from medchain.core.tx import Sender

        return Sender(self.chain, load_account(self.account_spec, self.chain))

    def suite(self) -> Suite:
        from medchain.core.deploy import load_suite

        return load_suite(self.chain, directory=self.deployments, path=self.manifest)

    def close(self) -> None:
        if self._chain is not None:
            self._chain.close()


pass_ctx = click.make_pass_decorator(Context)


def done(receipt: Any) -> None:
    """Print the one-line outcome of a transaction."""
    click.echo(f"ok: tx {receipt.tx_hash} (block {receipt.block_number}, gas {receipt.gas_used})")
