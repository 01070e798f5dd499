"""Scenario `consent`: `python scripts/consent.py [--chain embedded|anvil|ganache|URL]`."""

from medchain.scenarios import script_main


def main() -> None:
    script_main("consent")


if __name__ == "__main__":
    main()
