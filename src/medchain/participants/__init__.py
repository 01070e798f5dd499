"""The participant directory: organisations, roles, patients, suspension and governance.

The public names of the domain, re-exported: ``from medchain.participants import …``.
"""

from __future__ import annotations

from medchain.core.registry import Kind, Role, check_address, check_encryption_key, encryption_key_of, parse_roles
from medchain.participants.client import Participant, ParticipantsClient

__all__ = [
    "Kind", "Participant", "ParticipantsClient", "Role", "check_address", "check_encryption_key",
    "encryption_key_of", "parse_roles",
]
