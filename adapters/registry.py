"""Composition root for the agency adapters: one httpx client per agency per run.

Flows open `agency_clients()` once and hand the adapters to their tasks; tests
point the settings at simulators on loopback (or hand in fakes to `.fn()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import httpx

from adapters.http import tls_context
from adapters.invitations.client import HttpInvitationAdapter
from adapters.invitations.port import InvitationPort
from adapters.police.client import HttpPoliceAdapter
from adapters.police.port import PolicePort
from adapters.police_grants.client import HttpPoliceGrantsAdapter
from adapters.police_grants.port import PoliceGrantsPort
from adapters.settings import Settings, get_settings
from adapters.social_services.client import HttpSocialServicesAdapter
from adapters.social_services.port import SocialServicesPort
from adapters.tax_agency.client import HttpTaxAgencyAdapter
from adapters.tax_agency.port import TaxAgencyPort


@dataclass(frozen=True)
class AgencyClients:
    police: PolicePort
    social_services: SocialServicesPort
    # Meeting invitations, by agency (kriminalvarden, arbetsformedlingen, health_care, sis).
    invitations: dict[str, InvitationPort] = field(default_factory=dict)
    police_grants: PoliceGrantsPort | None = None
    tax_agency: TaxAgencyPort | None = None


def _timeout(settings: Settings) -> httpx.Timeout:
    return httpx.Timeout(connect=2.0, read=settings.http_read_timeout, write=5.0, pool=2.0)


@contextmanager
def agency_clients(settings: Settings | None = None) -> Iterator[AgencyClients]:
    settings = settings or get_settings()
    with ExitStack() as stack:
        def client(base_url: str) -> httpx.Client:
            return stack.enter_context(httpx.Client(base_url=base_url, timeout=_timeout(settings),
                                                    verify=tls_context()))

        yield AgencyClients(
            police=HttpPoliceAdapter(client(settings.police_url)),
            social_services=HttpSocialServicesAdapter(client(settings.social_services_url)),
            invitations={
                agency: HttpInvitationAdapter(client(url), agency=agency)
                for agency, url in (("kriminalvarden", settings.kriminalvarden_url),
                                    ("arbetsformedlingen", settings.arbetsformedlingen_url),
                                    ("health_care", settings.health_care_url),
                                    ("sis", settings.sis_url))
            },
            police_grants=HttpPoliceGrantsAdapter(client(settings.police_grants_url)),
            tax_agency=HttpTaxAgencyAdapter(client(settings.tax_agency_url)),
        )
