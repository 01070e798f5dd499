"""Scenario `drugs`: `python scripts/drugs.py [--chain embedded|anvil|ganache|URL]`."""

from medchain.scenarios import script_main


def main() -> None:
    script_main("drugs")


if __name__ == "__main__":
    main()
