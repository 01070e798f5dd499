"""The MedChain consent catalogue: data categories, purposes and actions as bit flags.

The consent contract stores three ``uint256`` masks per grant; bit ``i`` of a mask
is the catalogue entry with index ``i`` (flag value ``1 << i``). The indexes are
part of the on-chain format and must never be renumbered.

    index  name                 MedChain code        HL7 v3 ActCode sensitivity label
    0      general              general              -
    1      endocrine/diabetes   endocrine            -
    2      cardiology           cardiology           -
    3      oncology             oncology             -
    4      mental health        mental-health        PSY  (psychiatry disorder)
    5      genomics             genomics             GDIS (genetic disease)
    6      infectious disease   infectious-disease   -    (HIV, STD exist but are narrower)
    7      reproductive health  reproductive-health  SEX  (sexuality and reproductive health)
    8      imaging              imaging              -
    9      laboratory           laboratory           -
    10     medication           medication           -

Category codes live in the MedChain CodeSystem :data:`CATEGORY_SYSTEM`; sensitivity
labels in ``http://terminology.hl7.org/CodeSystem/v3-ActCode`` (codes checked against
the HL7 ActInformationSensitivityPolicy value set).

Purposes (index: name, HL7 v3 ActReason): 0 treatment ``TREAT``, 1 research
``HRESCH``, 2 insurance claims ``CLMATTCH``, 3 public health ``PUBHLTH``.

Actions (index: name, FHIR consentaction): 0 read ``access``, 1 write ``correct``.

Names are parsed case-insensitively; spaces and hyphens count as underscores, and
aliases are accepted (``"diabetes"`` is endocrine, ``"lab"`` is laboratory...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntFlag

from medchain.core.errors import StandardsError

__all__ = [
    "ACTION_CODES",
    "ACTREASON_SYSTEM",
    "ACTCODE_SYSTEM",
    "CATEGORY_CODES",
    "CATEGORY_SYSTEM",
    "CONSENTACTION_SYSTEM",
    "Action",
    "Category",
    "Code",
    "mask",
    "names",
    "PURPOSE_CODES",
    "Purpose",
    "SENSITIVITY_CODES",
]

CATEGORY_SYSTEM = "https://medchain.dev/fhir/CodeSystem/data-category"
ACTCODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACTREASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
CONSENTACTION_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentaction"


@dataclass(frozen=True)
class Code:
    """One code of a code system.

    Attributes:
        system: The code system URI.
        code: The code.
        display: Its display text.
    """

    system: str
    code: str
    display: str

    def coding(self) -> dict[str, str]:
        """The FHIR ``Coding`` dict."""
        return {"system": self.system, "code": self.code, "display": self.display}


class _CatalogueFlag(IntFlag):
    """Shared parsing for the catalogue flags (no members of its own)."""

    @property
    def index(self) -> int:
        """The bit index of a single-member flag."""
        value = int(self)
        if value <= 0 or value & (value - 1):
            raise StandardsError(f"{self!r} is not a single {type(self).__name__.lower()}")
        return value.bit_length() - 1

    @property
    def key(self) -> str:
        """The canonical lowercase name of a single-member flag (e.g. ``"mental_health"``)."""
        return type(self).from_index(self.index).name.lower()

    @classmethod
    def from_index(cls, index: int):
        """The member at bit ``index``.

        Raises:
            StandardsError: No member has that index.
        """
        for member in _canonical(cls):
            if member.index == index:
                return member
        raise StandardsError(f"unknown {cls.__name__.lower()} index {index!r}")

    @classmethod
    def parse(cls, name):
        """Parse one name or alias (case-insensitive), or pass a member through.

        Args:
            name: e.g. ``"Diabetes"``, ``"mental health"``, ``"CARDIOLOGY"``.

        Returns:
            The member.

        Raises:
            StandardsError: Unknown name; the message lists the known ones.
        """
        if isinstance(name, cls):
            return cls.from_index(name.index)
        if not isinstance(name, str):
            raise StandardsError(f"{cls.__name__.lower()} name must be a string, not {type(name).__name__}")
        norm = "_".join(name.strip().lower().replace("-", " ").replace("_", " ").split())
        member = _ALIASES[cls].get(norm)
        if member is None:
            known = ", ".join(_canonical(cls).values())
            raise StandardsError(f"unknown {cls.__name__.lower()} {name!r} (known: {known})")
        return member

    @classmethod
    def mask(cls, names: str | Iterable[str]) -> int:
        """Build a bit mask from names.

        Args:
            names: An iterable of names/members, or one string of comma-separated names.

        Returns:
            The mask (``0`` for no names).

        Raises:
            StandardsError: An unknown name.
        """
        if isinstance(names, str):
            names = [n for n in names.split(",") if n.strip()]
        result = 0
        for name in names:
            result |= int(cls.parse(name))
        return result

    @classmethod
    def names(cls, mask: int) -> list[str]:
        """The canonical names of the bits set in ``mask``, by index.

        Args:
            mask: A mask as stored on chain.

        Returns:
            e.g. ``["endocrine", "cardiology"]``.

        Raises:
            StandardsError: Negative mask, or bits outside the catalogue.
        """
        return [m.key for m in cls.members(mask)]

    @classmethod
    def members(cls, mask: object) -> list:
        """The members whose bits are set in ``mask`` (validated: any value is checked), by index.

        Raises:
            StandardsError: Negative mask, or bits outside the catalogue.
        """
        if isinstance(mask, bool) or not isinstance(mask, int) or mask < 0:
            raise StandardsError(f"{cls.__name__.lower()} mask must be a non-negative integer, got {mask!r}")
        known = 0
        for member in _canonical(cls):
            known |= int(member)
        if mask & ~known:
            raise StandardsError(
                f"{cls.__name__.lower()} mask {mask:#x} has bits outside the catalogue ({mask & ~known:#x})"
            )
        return [m for m in _canonical(cls) if mask & int(m)]


class Category(_CatalogueFlag):
    """Data categories (consent ``categories`` mask)."""

    GENERAL = 1 << 0
    ENDOCRINE = 1 << 1
    CARDIOLOGY = 1 << 2
    ONCOLOGY = 1 << 3
    MENTAL_HEALTH = 1 << 4
    GENOMICS = 1 << 5
    INFECTIOUS_DISEASE = 1 << 6
    REPRODUCTIVE_HEALTH = 1 << 7
    IMAGING = 1 << 8
    LABORATORY = 1 << 9
    MEDICATION = 1 << 10

    @property
    def code(self) -> Code:
        """The MedChain data-category code."""
        return CATEGORY_CODES[self]

    @property
    def sensitivity(self) -> Code | None:
        """The HL7 v3 ActCode sensitivity label, if one fits."""
        return SENSITIVITY_CODES.get(self)


class Purpose(_CatalogueFlag):
    """Purposes of use (consent ``purposes`` mask)."""

    TREATMENT = 1 << 0
    RESEARCH = 1 << 1
    INSURANCE_CLAIMS = 1 << 2
    PUBLIC_HEALTH = 1 << 3

    @property
    def code(self) -> Code:
        """The HL7 v3 ActReason code."""
        return PURPOSE_CODES[self]


class Action(_CatalogueFlag):
    """Actions (consent ``actions`` mask)."""

    READ = 1 << 0
    WRITE = 1 << 1

    @property
    def code(self) -> Code:
        """The FHIR consentaction code."""
        return ACTION_CODES[self]


def _name(member: _CatalogueFlag) -> str:
    """The name of a single member (a combination of flags has none)."""
    if member.name is None:
        raise StandardsError(f"{member!r} is not a single {type(member).__name__.lower()}")
    return member.name


def _canonical(cls: type[_CatalogueFlag]) -> dict[_CatalogueFlag, str]:
    return {m: _name(m).lower() for m in cls.__members__.values()}


_EXTRA_ALIASES: dict[type[_CatalogueFlag], dict[str, str]] = {
    Category: {
        "diabetes": "ENDOCRINE", "endocrinology": "ENDOCRINE",
        "cardiac": "CARDIOLOGY", "cardio": "CARDIOLOGY", "heart": "CARDIOLOGY",
        "cancer": "ONCOLOGY",
        "mental": "MENTAL_HEALTH", "psychiatry": "MENTAL_HEALTH", "behavioral_health": "MENTAL_HEALTH",
        "behavioural_health": "MENTAL_HEALTH",
        "genomic": "GENOMICS", "genetics": "GENOMICS", "genetic": "GENOMICS",
        "infectious": "INFECTIOUS_DISEASE", "infectious_diseases": "INFECTIOUS_DISEASE",
        "reproductive": "REPRODUCTIVE_HEALTH", "sexual_health": "REPRODUCTIVE_HEALTH",
        "radiology": "IMAGING",
        "lab": "LABORATORY", "labs": "LABORATORY",
        "medications": "MEDICATION", "meds": "MEDICATION", "pharmacy": "MEDICATION",
    },
    Purpose: {
        "treat": "TREATMENT", "care": "TREATMENT",
        "hresch": "RESEARCH",
        "insurance": "INSURANCE_CLAIMS", "claims": "INSURANCE_CLAIMS", "claim": "INSURANCE_CLAIMS",
        "clmattch": "INSURANCE_CLAIMS",
        "pubhlth": "PUBLIC_HEALTH",
    },
    Action: {"access": "READ", "correct": "WRITE"},
}

_ALIASES: dict[type[_CatalogueFlag], dict[str, _CatalogueFlag]] = {
    cls: {
        **{name.lower(): member for name, member in cls.__members__.items()},
        **{alias: cls[target] for alias, target in extra.items()},
    }
    for cls, extra in _EXTRA_ALIASES.items()
}


CATEGORY_CODES: dict[Category, Code] = {
    c: Code(CATEGORY_SYSTEM, _name(c).lower().replace("_", "-"), _name(c).replace("_", " ").capitalize())
    for c in Category.__members__.values()
}
CATEGORY_CODES[Category.ENDOCRINE] = Code(CATEGORY_SYSTEM, "endocrine", "Endocrine (including diabetes)")

SENSITIVITY_CODES: dict[Category, Code] = {
    Category.MENTAL_HEALTH: Code(ACTCODE_SYSTEM, "PSY", "psychiatry disorder information sensitivity"),
    Category.GENOMICS: Code(ACTCODE_SYSTEM, "GDIS", "genetic disease information sensitivity"),
    Category.REPRODUCTIVE_HEALTH: Code(
        ACTCODE_SYSTEM, "SEX", "sexuality and reproductive health information sensitivity"
    ),
}

PURPOSE_CODES: dict[Purpose, Code] = {
    Purpose.TREATMENT: Code(ACTREASON_SYSTEM, "TREAT", "treatment"),
    Purpose.RESEARCH: Code(ACTREASON_SYSTEM, "HRESCH", "healthcare research"),
    Purpose.INSURANCE_CLAIMS: Code(ACTREASON_SYSTEM, "CLMATTCH", "claim attachment"),
    Purpose.PUBLIC_HEALTH: Code(ACTREASON_SYSTEM, "PUBHLTH", "public health"),
}

ACTION_CODES: dict[Action, Code] = {
    Action.READ: Code(CONSENTACTION_SYSTEM, "access", "Access"),
    Action.WRITE: Code(CONSENTACTION_SYSTEM, "correct", "Access and Correct"),
}


def mask(names: str | Iterable[str], kind: type[_CatalogueFlag] = Category) -> int:
    """Module-level form of ``kind.mask(names)`` (categories by default).

    Raises:
        StandardsError: An unknown name.
    """
    return kind.mask(names)


def names(mask: int, kind: type[_CatalogueFlag] = Category) -> list[str]:
    """Module-level form of ``kind.names(mask)`` (categories by default).

    Raises:
        StandardsError: Negative mask, or bits outside the catalogue.
    """
    return kind.names(mask)
