"""MedChain: health data and goods you can trust, on Ethereum, driven from Python."""

__version__ = "0.1.0"
