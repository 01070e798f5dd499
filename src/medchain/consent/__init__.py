"""Consent and medical records: consents per grantee, the access log, records encrypted on IPFS.

The public names of the domain, re-exported: ``from medchain.consent import …``.
"""

from __future__ import annotations

from medchain.consent.client import (
    DOMAIN_NAME,
    DOMAIN_VERSION,
    NO_END,
    SIGNATURE_LIFETIME,
    Access,
    Consent,
    ConsentClient,
    ConsentEvent,
    SignedRequest,
    consent_id,
    new_record_id,
    parse_category,
    parse_mask,
    parse_time,
    record_id_parts,
    record_key,
)
from medchain.consent.records import ZERO, RecordInfo, RecordsClient, Revocation, canonical_json

__all__ = [
    "Access", "Consent", "ConsentClient", "ConsentEvent", "DOMAIN_NAME", "DOMAIN_VERSION", "NO_END", "RecordInfo",
    "RecordsClient", "Revocation", "SIGNATURE_LIFETIME", "SignedRequest", "ZERO", "canonical_json", "consent_id",
    "new_record_id", "parse_category", "parse_mask", "parse_time", "record_id_parts", "record_key",
]
