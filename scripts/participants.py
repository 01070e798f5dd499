"""Scenario `participants`: `python scripts/participants.py [--chain embedded|anvil|ganache|URL]`."""

from medchain.scenarios import script_main


def main() -> None:
    script_main("participants")


if __name__ == "__main__":
    main()
