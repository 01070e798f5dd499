"""The horizontal core, which knows nothing of any domain: chains, accounts, the one transaction
path, errors, contract artifacts and the client base, deployment, the compiler, content storage
(IPFS), envelope encryption, the participant registry's vocabulary, the settlement token, and the
pure standards (GS1, EPCIS, FHIR, X12, consent codes)."""
