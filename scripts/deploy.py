"""Deploy the MedChain suite: `python scripts/deploy.py --chain anvil` (or any chain spec)."""

import sys

from medchain.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[:2] + ["deploy"] + args[2:] if args[:1] == ["--chain"] else ["deploy"] + args)
