"""Scenario `cold_chain`: `python scripts/cold_chain.py [--chain embedded|anvil|ganache|URL]`."""

from medchain.scenarios import script_main


def main() -> None:
    script_main("cold_chain")


if __name__ == "__main__":
    main()
