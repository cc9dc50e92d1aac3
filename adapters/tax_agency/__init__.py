"""Tax Agency (Skatteverket) adapter: protected personal data after a relocation."""

from adapters.tax_agency.client import HttpTaxAgencyAdapter
from adapters.tax_agency.port import TaxAgencyPort
from adapters.tax_agency.schemas import (
    ProtectionDecision,
    ProtectionMeasure,
    ProtectionRequest,
    ProtectionSubject,
)

__all__ = ["HttpTaxAgencyAdapter", "ProtectionDecision", "ProtectionMeasure",
           "ProtectionRequest", "ProtectionSubject", "TaxAgencyPort"]
