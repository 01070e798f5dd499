"""Scenario `claims`: `python scripts/claims.py [--chain embedded|anvil|ganache|URL]`."""

from medchain.scenarios import script_main


def main() -> None:
    script_main("claims")


if __name__ == "__main__":
    main()
