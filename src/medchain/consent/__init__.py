"""Consent and medical records: consents per grantee, the access log, records encrypted on IPFS.

The public names of the domain, re-exported: ``from medchain.consent import …``.
"""

from __future__ import annotations

from medchain.consent.client import (NO_END, DOMAIN_NAME, DOMAIN_VERSION, SIGNATURE_LIFETIME, parse_mask, parse_category, parse_time, consent_id, Consent, ConsentEvent, Access, SignedRequest, ConsentClient, record_key, new_record_id, record_id_parts)
from medchain.consent.records import (ZERO, RecordInfo, Revocation, canonical_json, RecordsClient)

__all__ = ['Access', 'Consent', 'ConsentClient', 'ConsentEvent', 'DOMAIN_NAME', 'DOMAIN_VERSION', 'NO_END', 'RecordInfo', 'RecordsClient', 'Revocation', 'SIGNATURE_LIFETIME', 'SignedRequest', 'ZERO', 'canonical_json', 'consent_id', 'new_record_id', 'parse_category', 'parse_mask', 'parse_time', 'record_id_parts', 'record_key']
