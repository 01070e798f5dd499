"""Research data licensing and clinical-trial records.

The public names of the domain, re-exported: ``from medchain.research import …``.
"""

from __future__ import annotations

from medchain.research.licensing import (
    ALL_FIELDS,
    BPS,
    ENVELOPE_FORMAT,
    EXTRACT_FORMAT,
    FIELD_COUNT,
    IDENTITY_FIELDS,
    MANIFEST_FORMAT,
    MAX_CID,
    MAX_DURATION,
    Basis,
    Contribution,
    Dataset,
    DatasetBuild,
    Field,
    Licence,
    ResearchClient,
    Row,
    Status,
    field_hash,
    field_names,
    fields_of_record,
    leaf_of,
    merkle_proof,
    merkle_root,
    open_envelope,
    parse_fields,
    seal_envelope,
    split,
    verify_proof,
)
from medchain.research.trials import ZERO, Amendment, AmendmentKind, Subject, Trial, TrialsClient, TrialStatus, document_hash

__all__ = [
    "ALL_FIELDS", "Amendment", "AmendmentKind", "BPS", "Basis", "Contribution", "Dataset", "DatasetBuild",
    "ENVELOPE_FORMAT", "EXTRACT_FORMAT", "FIELD_COUNT", "Field", "IDENTITY_FIELDS", "Licence", "MANIFEST_FORMAT",
    "MAX_CID", "MAX_DURATION", "ResearchClient", "Row", "Status", "Subject", "Trial", "TrialStatus",
    "TrialsClient", "ZERO", "document_hash", "field_hash", "field_names", "fields_of_record", "leaf_of",
    "merkle_proof", "merkle_root", "open_envelope", "parse_fields", "seal_envelope", "split", "verify_proof",
]
