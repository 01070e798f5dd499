"""Research data licensing and clinical-trial records.

The public names of the domain, re-exported: ``from medchain.research import …``.
"""

from __future__ import annotations

from medchain.research.licensing import (ENVELOPE_FORMAT, EXTRACT_FORMAT, MANIFEST_FORMAT, BPS, MAX_CID, MAX_DURATION, Field, IDENTITY_FIELDS, ALL_FIELDS, FIELD_COUNT, Status, Basis, parse_fields, field_names, fields_of_record, field_hash, leaf_of, merkle_root, merkle_proof, verify_proof, Row, DatasetBuild, seal_envelope, open_envelope, Dataset, Contribution, Licence, ResearchClient, split)
from medchain.research.trials import (ZERO, TrialStatus, AmendmentKind, document_hash, Trial, Subject, Amendment, TrialsClient)

__all__ = ['ALL_FIELDS', 'Amendment', 'AmendmentKind', 'BPS', 'Basis', 'Contribution', 'Dataset', 'DatasetBuild', 'ENVELOPE_FORMAT', 'EXTRACT_FORMAT', 'FIELD_COUNT', 'Field', 'IDENTITY_FIELDS', 'Licence', 'MANIFEST_FORMAT', 'MAX_CID', 'MAX_DURATION', 'ResearchClient', 'Row', 'Status', 'Subject', 'Trial', 'TrialStatus', 'TrialsClient', 'ZERO', 'document_hash', 'field_hash', 'field_names', 'fields_of_record', 'leaf_of', 'merkle_proof', 'merkle_root', 'open_envelope', 'parse_fields', 'seal_envelope', 'split', 'verify_proof']
