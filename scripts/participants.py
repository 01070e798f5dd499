"""Scenario `participants`: `python scripts/participants.py [--chain embedded|anvil|ganache|URL]`."""

import argparse

from medchain import scenarios

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chain", default="embedded")
    scenarios.run(["participants"], chain=parser.parse_args().chain)
