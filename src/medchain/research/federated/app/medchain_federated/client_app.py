"""The hospital's ClientApp: SecAgg+ masking around medchain's consent-checked local training."""

from flwr.client import ClientApp
from flwr.client.mod import secaggplus_mod

from medchain.research.federated.hospital import client_fn, clipping_mod

# SecAgg+ outermost: it masks the update the clipping mod has clipped (Flower's fl-dp-sa order)
app = ClientApp(client_fn=client_fn, mods=[secaggplus_mod, clipping_mod])
