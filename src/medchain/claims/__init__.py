"""Claim adjudication: plans, enrolment, catalogues, claims adjudicated on chain, settlement.

The public names of the domain, re-exported: ``from medchain.claims import …``.
"""

from __future__ import annotations

from medchain.claims.client import (
    CATALOGUE_CHUNK,
    CATALOGUE_COLUMNS,
    CLAIM_STATUS,
    LINE_STATUS,
    MAX_DIAGNOSES,
    MAX_INDICATIONS,
    MAX_LINES,
    SERVICE_CLASSES,
    UINT80,
    UINT96,
    CatalogueEntry,
    ClaimLine,
    ClaimResult,
    ClaimsClient,
    ClaimSubmission,
    LineResult,
    PlanTerms,
    Reconciliation,
    decode_code,
    documents_digest,
    encode_code,
    encode_icd10,
    fmt,
    iso_date,
    normalise_icd10,
    parse_catalogue_csv,
    parse_claim,
    parse_date,
    parse_plan,
    service_class,
    to_units,
)

__all__ = [
    "CATALOGUE_CHUNK", "CATALOGUE_COLUMNS", "CLAIM_STATUS", "CatalogueEntry", "ClaimLine", "ClaimResult",
    "ClaimSubmission", "ClaimsClient", "LINE_STATUS", "LineResult", "MAX_DIAGNOSES", "MAX_INDICATIONS",
    "MAX_LINES", "PlanTerms", "Reconciliation", "SERVICE_CLASSES", "UINT80", "UINT96", "decode_code",
    "documents_digest", "encode_code", "encode_icd10", "fmt", "iso_date", "normalise_icd10",
    "parse_catalogue_csv", "parse_claim", "parse_date", "parse_plan", "service_class", "to_units",
]
