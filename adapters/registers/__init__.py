"""Police registers: the criminal-records register (belastningsregistret) and the
suspicion register (misstankeregistret), looked up in batches for register sweeps."""

from adapters.registers.client import HttpRegisterAdapter
from adapters.registers.port import RegisterPort
from adapters.registers.schemas import (
    MAX_SUBJECTS_PER_LOOKUP,
    EntryKind,
    LookupRequest,
    LookupResult,
    LookupSubject,
    Register,
    RegisterEntry,
    Subject,
)

__all__ = [
    "MAX_SUBJECTS_PER_LOOKUP",
    "EntryKind",
    "HttpRegisterAdapter",
    "LookupRequest",
    "LookupResult",
    "LookupSubject",
    "Register",
    "RegisterEntry",
    "RegisterPort",
    "Subject",
]
