"""The hospital's ClientApp: SecAgg+ masking around medchain's consent-checked local training."""

from flwr.client import ClientApp
from flwr.client.mod import secaggplus_mod

from medchain.research.federated.hospital import client_fn

app = ClientApp(client_fn=client_fn, mods=[secaggplus_mod])
