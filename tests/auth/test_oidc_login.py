"""`utvag login` / `utvag logout` against the real embedded provider: the browser login
with PKCE and a loopback listener, the device grant, the token file only its owner can
read, refresh when the access token has expired, and logout."""

from __future__ import annotations

import io
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from adapters.oidc import TokenVerifier
from adapters.oidc_client import OidcClient, OidcError
from adapters.oidc_provider import DEMO_PASSWORD, EmbeddedProvider
from adapters.settings import Settings
from models.principal import Principal, Role
from tests.fakes.clock import FakeClock
from tests.oidc_login import approve_device, sign_in
from utvag_cli import login as login_cmd
from utvag_cli import tokens as token_store
from utvag_cli.main import main


@pytest.fixture()
def person(oidc_provider: EmbeddedProvider, tmp_path: Path) -> Settings:
    """Only what a person's machine has: the provider's issuer and a token file."""
    return Settings(oidc_issuer=oidc_provider.issuer, token_file=tmp_path / "cfg" / "tokens.json")


def _browser(username: str, password: str = DEMO_PASSWORD) -> tuple[
        list[BaseException], object]:
    """A person at a browser: signs in on the provider's form, follows the redirect back
    to the CLI's loopback listener (in a thread, as the CLI waits for it)."""
    errors: list[BaseException] = []

    def visit(url: str) -> None:
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]

        def run() -> None:
            try:
                with httpx.Client(timeout=10.0) as http:
                    back = sign_in(http, url, username, password, stop_at=redirect)
                    http.get(urljoin(str(back.url), back.headers["location"]))
            except BaseException as exc:  # reported by the test
                errors.append(exc)

        threading.Thread(target=run, daemon=True).start()

    return errors, visit


def test_browser_login_stores_tokens_only_the_user_can_read(
        person: Settings, oidc_verifier: TokenVerifier) -> None:
    errors, browser = _browser("stockholm.samordnare")
    tokens = login_cmd.login(person, open_browser=browser, timeout=20)  # type: ignore[arg-type]
    assert not errors
    path = person.resolved_token_file
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    access = token_store.current_access_token(person)
    assert access == tokens.access_token
    principal = Principal.from_claims(oidc_verifier.verify(access))
    assert principal.organisation == "municipality:0180"
    assert principal.roles == {Role.COORDINATOR}
    assert login_cmd.who(tokens) == "stockholm.samordnare (municipality:0180)"


def test_a_browser_that_answers_for_another_login_is_refused(person: Settings) -> None:
    def forged(url: str) -> None:
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        threading.Thread(target=lambda: httpx.get(f"{redirect}?code=stolen&state=other"),
                         daemon=True).start()

    with pytest.raises(login_cmd.LoginError, match="state"):
        login_cmd.login(person, open_browser=forged, timeout=20)
    assert not person.resolved_token_file.exists()


def test_device_login_when_there_is_no_browser(person: Settings, oidc_provider: EmbeddedProvider,
                                               oidc_verifier: TokenVerifier) -> None:
    shown = io.StringIO()
    approved: list[str] = []

    def sleep(seconds: float) -> None:
        # While the CLI waits, the person approves on another device (once).
        if not approved:
            text = shown.getvalue()
            code = text.split("enter the code ")[1].split()[0]
            approved.append(approve_device(oidc_provider.issuer, f"{oidc_provider.issuer}/device",
                                           code, "polis.stockholm.kontakt"))

    from utvag_cli.output import to

    with to(stdout=shown, stderr=shown):
        tokens = login_cmd.login(person, device=True, sleep=sleep)
    assert "inloggad" in approved[0]
    principal = Principal.from_claims(oidc_verifier.verify(tokens.access_token))
    assert principal.organisation == "police:region-stockholm"
    assert token_store.load(person.resolved_token_file) == tokens


def test_an_expired_access_token_is_refreshed(person: Settings,
                                             oidc_provider: EmbeddedProvider) -> None:
    errors, browser = _browser("goteborg.handlaggare")
    first = login_cmd.login(person, open_browser=browser, timeout=20)  # type: ignore[arg-type]
    clock = FakeClock(datetime.now(UTC))
    assert token_store.current_access_token(person, clock=clock) == first.access_token
    clock.advance(minutes=10)
    fresh = token_store.current_access_token(person, clock=clock)
    assert fresh != first.access_token
    stored = token_store.load(person.resolved_token_file)
    assert stored is not None and stored.access_token == fresh
    assert stored.refresh_token != first.refresh_token  # rotated for a public client
    verifier = TokenVerifier(oidc_provider.issuer, "utvag-case-service")
    assert verifier.verify(fresh)["preferred_username"] == "goteborg.handlaggare"
    # The used refresh token is spent: replaying it is refused.
    with pytest.raises(OidcError):
        OidcClient(oidc_provider.issuer, "utvag-cli").refresh(first, now=clock.now())


def test_a_token_file_others_can_read_is_refused(person: Settings) -> None:
    errors, browser = _browser("revisor")
    login_cmd.login(person, open_browser=browser, timeout=20)  # type: ignore[arg-type]
    path = person.resolved_token_file
    os.chmod(path, 0o644)
    with pytest.raises(token_store.TokenFileTooOpen, match="0644"):
        token_store.current_access_token(person)
    os.chmod(path, 0o600)
    assert token_store.current_access_token(person)


def test_no_login_tells_the_person_what_to_do(person: Settings) -> None:
    with pytest.raises(token_store.NotLoggedIn, match="utvag login"):
        token_store.current_access_token(person)


def test_logout_revokes_and_removes_the_tokens(person: Settings,
                                               oidc_provider: EmbeddedProvider,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    errors, browser = _browser("drift")
    tokens = login_cmd.login(person, open_browser=browser, timeout=20)  # type: ignore[arg-type]
    monkeypatch.setattr(login_cmd, "get_settings", lambda: person)
    shown = io.StringIO()
    assert main(["logout"], stdout=shown, stderr=shown) == 0
    assert "signed out" in shown.getvalue()
    assert not person.resolved_token_file.exists()
    with pytest.raises(OidcError, match="invalid_grant"):
        OidcClient(oidc_provider.issuer, "utvag-cli").refresh(tokens, now=datetime.now(UTC))
    with pytest.raises(token_store.NotLoggedIn):
        token_store.current_access_token(person)
