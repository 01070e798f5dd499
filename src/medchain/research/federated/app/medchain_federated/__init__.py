"""The Flower components of a MedChain compute licence (code in medchain.research.federated)."""
