"""Deploy the MedChain suite: `python scripts/deploy.py [--chain anvil] [medchain deploy options]`,
or `brownie run scripts/deploy.py [--network ID]` on Brownie's network."""

from medchain.cli import deploy_main


def main() -> None:
    deploy_main()


if __name__ == "__main__":
    main()
