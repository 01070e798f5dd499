"""The aggregator's ServerApp: FedAvg under SecAgg+, each round recorded before the next."""

from flwr.server import ServerApp

from medchain.research.federated.aggregator import main

app = ServerApp()
app.main()(main)
