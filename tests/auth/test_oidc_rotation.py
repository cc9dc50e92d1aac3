"""Key rotation: the provider restarts signing with a new key (published first, the old
one still listed); the verifier fetches the JWKS again for the kid it has not seen,
once, and not on every unknown kid a forger makes up."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from adapters.oidc import InvalidToken, TokenVerifier
from adapters.oidc_client import OidcError
from adapters.oidc_provider import EmbeddedProvider, add_signing_key, embedded_for
from adapters.settings import Settings
from tests.fakes.clock import FakeClock
from tests.oidc_login import token_for


@pytest.fixture()
def provider(tmp_path: Path) -> Iterator[EmbeddedProvider]:
    """Its own provider: this test restarts it, the session's one keeps its state."""
    provider = EmbeddedProvider(keys_file=tmp_path / "keys.json")
    provider.start()
    yield provider
    provider.stop()


def test_the_verifier_follows_a_key_rotation(provider: EmbeddedProvider) -> None:
    jwks_fetches: list[str] = []
    http = httpx.Client(event_hooks={"request": [
        lambda request: jwks_fetches.append(str(request.url)) if request.url.path == "/jwks"
        else None]})
    clock = FakeClock(datetime.now(UTC))
    verifier = TokenVerifier(provider.issuer, "utvag-case-service", http_client=http, clock=clock)
    # The provider made its keys at first start, readable only by their owner.
    assert provider.keys_file.stat().st_mode & 0o777 == 0o600
    old_kid = json.loads(provider.keys_file.read_text())["keys"][0]["kid"]
    before = token_for(provider, "stockholm.samordnare").access_token
    assert verifier.verify(before)["sub"] == "demo-0180-coordinator"
    assert len(jwks_fetches) == 1

    new_kid = add_signing_key(provider.keys_file)
    assert provider.keys_file.stat().st_mode & 0o777 == 0o600
    issuer = provider.issuer
    assert provider.restart() == issuer
    after = token_for(provider, "goteborg.samordnare").access_token
    assert jwt.decode(after, RSAKey.import_key(
        json.loads(provider.keys_file.read_text())["keys"][0])).header["kid"] == new_kid

    # Right after a fetch the verifier does not fetch again (a flood of made-up kids must
    # not hammer the provider); a little later the unknown kid makes it fetch once.
    with pytest.raises(InvalidToken):
        verifier.verify(after)
    assert len(jwks_fetches) == 1
    clock.advance(seconds=11)
    assert verifier.verify(after)["sub"] == "demo-1480-coordinator"
    assert len(jwks_fetches) == 2
    # Tokens signed before the rotation stay valid until they expire: the old key is listed.
    assert verifier.verify(before)["sub"] == "demo-0180-coordinator"
    assert old_kid != new_kid
    assert len(jwks_fetches) == 2


def test_make_run_starts_a_provider_only_for_a_loopback_issuer(tmp_path: Path) -> None:
    demo = embedded_for(Settings(data_dir=tmp_path))
    assert demo is not None
    assert (demo.port, demo.keys_file) == (9400, tmp_path.resolve() / "oidc-keys.json")
    for elsewhere in ("https://login.example.se/realms/utvag",
                      "https://login.microsoftonline.com/tenant/v2.0",
                      "http://10.0.0.5:9400"):
        assert embedded_for(Settings(data_dir=tmp_path, oidc_issuer=elsewhere)) is None


def test_a_confidential_console_signs_in_with_its_secret_and_logs_out(tmp_path: Path) -> None:
    redirect, after_logout = "http://127.0.0.1:8800/auth/callback", "http://127.0.0.1:8800/"
    with EmbeddedProvider(keys_file=tmp_path / "keys.json", console_secret="konsol-hemlighet",
                          console_redirects=[redirect],
                          console_post_logout=[after_logout]) as provider:
        with pytest.raises(OidcError, match="invalid_client"):
            token_for(provider, "stockholm.samordnare", client_id="utvag-console",
                      redirect_uri=redirect, client_secret="fel")
        tokens = token_for(provider, "stockholm.samordnare", client_id="utvag-console",
                           redirect_uri=redirect, client_secret="konsol-hemlighet")
        claims = TokenVerifier(provider.issuer, "utvag-case-service").verify(tokens.access_token)
        assert claims["client_id"] == "utvag-console"
        end = f"{provider.issuer}/session/end"
        hint = {"id_token_hint": tokens.id_token or "", "client_id": "utvag-console"}
        with httpx.Client() as browser:
            asked = browser.get(end, params={**hint, "post_logout_redirect_uri": after_logout})
            form = re.search(r'action="([^"]+)"', asked.text)
            assert asked.status_code == 200 and form is not None
            fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', asked.text))
            done = browser.post(urljoin(end, form.group(1)), data=fields)
        assert done.is_redirect and done.headers["location"].startswith(after_logout)
        elsewhere = httpx.get(end, params={**hint, "post_logout_redirect_uri": "http://x.example/"})
        assert elsewhere.status_code == 400
