"""A FHIR R4 REST server over MedChain records (``medchain serve --fhir``, mounted at ``/fhir``).

One concern per module: :mod:`.auth` (SMART Backend Services sign-in with ES256K client
assertions), :mod:`.resources` (the FHIR resources the server builds, search matching),
:mod:`.service` (reads, searches and writes through :class:`~medchain.consent.RecordsClient` as the
signed-in organisation), :mod:`.app` (the FastAPI routes). Needs the ``fhir`` extra.
"""
