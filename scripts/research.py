"""Scenario `research`: `python scripts/research.py [--chain embedded|anvil|ganache|URL]`."""

from medchain.scenarios import script_main


def main() -> None:
    script_main("research")


if __name__ == "__main__":
    main()
