"""Scenario `emr`: `python scripts/emr.py [--chain embedded|anvil|ganache|URL]`."""

from medchain.scenarios import script_main


def main() -> None:
    script_main("emr")


if __name__ == "__main__":
    main()
