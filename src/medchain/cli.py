"""The ``medchain`` command line.

Exit codes: 0 done; 1 a user error (``error: <reason>`` on one line; ``MEDCHAIN_DEBUG=1`` prints the
full message); 2 a usage error (an unknown option, a missing argument or file: one line too);
130 interrupted (Ctrl-C). Some commands document further codes of their own.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import click

from medchain import __version__
from medchain.core.commands import Context, pass_ctx
from medchain.core.errors import MedChainError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medchain")
@click.option("--chain", "chain_spec", envvar="MEDCHAIN_CHAIN", default="embedded", show_default=True,
              help="embedded, anvil, ganache, or a node URL (http://…, ws://…).")
@click.option("--account", "account_spec", envvar="MEDCHAIN_ACCOUNT", default="dev:0", show_default=True,
              help="dev:N (local chains only), keystore:PATH or env:VAR.")
@click.option("--deployments", envvar="MEDCHAIN_DEPLOYMENTS", type=click.Path(path_type=Path), default=Path("deployments"),
              show_default=True,
              help="Folder of deployment manifests (<chain-id>.json).")
@click.option("--manifest", type=click.Path(path_type=Path), default=None,
              help="A manifest file to use instead of <deployments>/<chain-id>.json; its chain id is checked.")
@click.option("-v", "--verbose", count=True, help="Log what the library does (-v: info, -vv: debug), on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.pass_context
def cli(ctx: click.Context, chain_spec: str, account_spec: str, deployments: Path, manifest: Path | None,
        verbose: int, quiet: bool) -> None:
    """MedChain: consent, medical records, drug tracing, claims and research licensing on Ethereum."""
    _configure_logging(verbose, quiet)
    ctx.obj = Context(chain_spec, account_spec, deployments, manifest)
    ctx.call_on_close(ctx.obj.close)


def _configure_logging(verbose: int, quiet: bool) -> None:
    """The library logs through ``logging`` (logger ``medchain``) and prints nothing; the CLI shows it."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logger = logging.getLogger("medchain")
    logger.setLevel(level)
    if not any(getattr(h, "_medchain_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._medchain_cli = True  # type: ignore[attr-defined]  # a marker: one handler per process
        logger.addHandler(handler)


@cli.command()
@click.option("--check", is_flag=True, help="Do not write; fail if the committed artifacts differ from the sources.")
def compile(check: bool) -> None:
    """Compile the contracts into the package's committed artifacts."""
    from medchain.core import compiler

    binary, how = compiler.find_solc()
    click.echo(f"compiling with solc {compiler.SOLC_VERSION} ({how}), evm {compiler.EVM_VERSION}…", err=True)
    started = time.perf_counter()
    artifacts = compiler.build_artifacts(binary=binary)
    differ = compiler.artifact_diff(artifacts)
    if check:
        if differ:
            raise MedChainError("committed artifacts differ from the sources: " + ", ".join(differ)
                                + " (run `medchain compile`)")
        click.echo(f"{len(artifacts)} artifacts match the sources")
        return
    compiler.write_artifacts(artifacts)
    click.echo(f"compiled {len(artifacts)} contracts in {time.perf_counter() - started:.1f} s; "
               f"changed: {', '.join(differ) or 'none'}")


@cli.command()
@click.option("--fresh", is_flag=True, help="Deploy a new suite even if the manifest's contracts are on chain.")
@click.option("--governance", default=None, help="Governance address of the registry (default: the deployer).")
@pass_ctx
def deploy(obj: Context, fresh: bool, governance: str | None) -> None:
    """Deploy every contract in dependency order and write the manifest (reusing matching code)."""
    from medchain.core.deploy import deploy as do_deploy
    from medchain.core.registry import check_address

    gov = check_address(governance, "governance") if governance else None
    report = do_deploy(obj.chain, obj.sender(), directory=obj.deployments, governance=gov, fresh=fresh,
                       progress=lambda line: click.echo("  " + line, err=True))
    where = report.suite.path or "memory (embedded chain)"
    click.echo(f"chain {obj.chain.chain_id}: {len(report.deployed)} deployed, {len(report.reused)} reused; manifest: {where}")


@cli.command()
@pass_ctx
def status(obj: Context) -> None:
    """Show what is deployed on the chain, from its manifest."""
    suite = obj.suite()
    w3 = obj.chain.w3
    click.echo(f"chain id {obj.chain.chain_id} ({obj.chain.kind}, {obj.chain.endpoint}), block {w3.eth.block_number}")
    click.echo(f"manifest {suite.path}; governance {suite.governance}")
    for name, entry in suite.manifest["contracts"].items():
        click.echo(f"  {name:28} {entry['address']}  block {entry['block']}")


@cli.command()
@click.argument("scenarios", nargs=-1)
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the scenarios' off-chain files (IPFS store, key vault, charts, exports) in this folder "
                   "(default: a temporary folder, removed at the end).")
@pass_ctx
def demo(obj: Context, scenarios: tuple[str, ...], workdir: Path | None) -> None:
    """Run every scenario (or the named ones) on a freshly deployed suite.

    Scenarios, in order: participants, consent, drugs, claims, research (``emr`` and ``cold_chain``
    are the earlier names of consent and drugs).
    """
    from medchain import scenarios as sc

    for name in scenarios:
        sc.load(name)
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = sc.run(list(scenarios) or None, chain=obj.chain, log=click.echo, workdir=workdir)
    click.echo(f"{len(results)} scenario(s) passed on {obj.chain.kind} (chain id {obj.chain.chain_id}) "
               f"in {time.perf_counter() - started:.1f} s")


@cli.command()
@click.argument("kind", type=click.Choice(["anvil", "ganache"]))
@click.option("--port", type=int, default=8545, show_default=True)
def node(kind: str, port: int) -> None:
    """Run a local development node on 127.0.0.1 until Ctrl-C (use it with --chain http://127.0.0.1:PORT)."""
    from medchain.core.chain import LocalNode

    with LocalNode(kind, port) as n:
        click.echo(f"{kind} listening on {n.url} (chain id {n.chain_id}); Ctrl-C to stop", err=True)
        try:
            while n.process is not None and n.process.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass


@cli.group()
def account() -> None:
    """Encrypted keystores."""


@account.command("new")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--password", envvar="MEDCHAIN_KEYSTORE_PASSWORD", prompt=True, hide_input=True,
              confirmation_prompt=True, help="Keystore password (or MEDCHAIN_KEYSTORE_PASSWORD).")
def account_new(path: Path, password: str) -> None:
    """Create a new account in an encrypted JSON keystore (mode 0600)."""
    from medchain.core.accounts import create_keystore

    click.echo(create_keystore(path, password).address)


@account.command("show")
@click.option("--key", "show_key", is_flag=True,
              help="Print only the account's encryption public key (compressed secp256k1, hex): what "
                   "`participants register-org --key` and `register-patient` take.")
@pass_ctx
def account_show(obj: Context, show_key: bool) -> None:
    """Show the address, balance and encryption public key of --account."""
    from medchain.core.accounts import load_account
    from medchain.core.registry import encryption_key_of

    acct = load_account(obj.account_spec, obj.chain)
    key = encryption_key_of(acct).hex()
    if show_key:
        click.echo(key)
        return
    click.echo(f"{acct.address}  {obj.chain.w3.eth.get_balance(acct.address) / 10**18:.6f} ETH  key {key}")


def _mount() -> None:
    """Mount each domain's commands (its ``_cli.COMMANDS``) and ``serve``."""
    from medchain.claims._cli import COMMANDS as claims
    from medchain.consent._cli import COMMANDS as consent
    from medchain.drugs._cli import COMMANDS as drugs
    from medchain.participants._cli import COMMANDS as participants
    from medchain.research._cli import COMMANDS as research
    from medchain.serve import serve

    for command in [*participants, *consent, *claims, *drugs, *research, serve]:
        cli.add_command(command)


_mount()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; a :class:`MedChainError` becomes ``error: <reason>`` and exit code 1."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # piped output survives a Ctrl-C line by line
    try:
        cli.main(args=argv, prog_name="medchain", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        click.echo(f"error: {exc.format_message()}{where}".replace("\n", " "), err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}".replace("\n", " "), err=True)
        sys.exit(exc.exit_code)
    except MedChainError as exc:
        click.echo(f"error: {exc}".splitlines()[0] if os.environ.get("MEDCHAIN_DEBUG") is None else f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(0)


def deploy_main(argv: list[str] | None = None) -> None:
    """Entry point of ``scripts/deploy.py``: ``medchain [--chain SPEC] deploy [options]`` as a script.

    ``python scripts/deploy.py [--chain anvil] [--fresh] [--governance 0x…]`` (every option of
    ``medchain deploy``), or ``brownie run scripts/deploy.py [--network ID]`` on Brownie's network.
    A user error ends like the CLI's: ``error: <reason>`` and exit code 1.
    """
    from medchain.core.scripting import script_argv, script_chain

    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--chain", default=None)
    known, rest = pre.parse_known_args(script_argv(argv))
    try:
        main(["--chain", script_chain(known.chain), "deploy", *rest])
    except SystemExit as exc:  # the CLI always exits; a script that worked returns
        if exc.code not in (0, None):
            raise


if __name__ == "__main__":
    main()
