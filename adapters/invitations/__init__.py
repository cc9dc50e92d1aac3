"""Meeting invitations to an agency (Kriminalvården/Frivården, Arbetsförmedlingen, health
care, SiS): one contract, one adapter, parametrised by the agency it talks to."""

from adapters.invitations.client import HttpInvitationAdapter
from adapters.invitations.port import InvitationPort
from adapters.invitations.schemas import InvitationRequest, InvitationResult

__all__ = ["HttpInvitationAdapter", "InvitationPort", "InvitationRequest", "InvitationResult"]
