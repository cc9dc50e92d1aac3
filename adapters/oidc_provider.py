"""The embedded OpenID Connect provider (`oidc/server.mjs`) as a child process.

For `make run` and the tests: a real provider on 127.0.0.1 with the demo users of
`oidc/users.json`. Production never starts this; it points `UTVAG_OIDC_ISSUER` at the
organisation's provider instead (docs/authentication.md).

    with EmbeddedProvider(keys_file=Path(".data/oidc-keys.json")) as provider:
        provider.issuer   # http://127.0.0.1:<port>
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

if TYPE_CHECKING:
    from adapters.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OIDC_DIR = ROOT / "oidc"
DEFAULT_USERS = OIDC_DIR / "users.json"
DEMO_PASSWORD = "utvag-demo"  # noqa: S105 - the demo users' password (oidc/users.json)


class ProviderError(RuntimeError):
    """The provider could not be installed, started or reached."""


def find_node() -> str:
    node = shutil.which("node")
    if node is None:
        raise ProviderError("node: Node.js (20 or later) is needed for the embedded OIDC "
                            "provider; install it, or set UTVAG_OIDC_ISSUER to your provider")
    return node


def ensure_installed(oidc_dir: Path = OIDC_DIR) -> None:
    """`npm ci` from the committed lock file when node_modules is missing or stale."""
    lock = oidc_dir / "package-lock.json"
    installed = oidc_dir / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise ProviderError("npm: needed once to install oidc/ (npm ci --prefix oidc)")
    command = [npm, "ci", "--prefix", str(oidc_dir), "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise ProviderError(f"npm ci --prefix oidc failed: {done.stderr.strip()[-500:]}")


class EmbeddedProvider:
    """Starts, restarts and stops `node oidc/server.mjs`.

    port 0 takes a free port; `restart()` keeps the port (and so the issuer) and reads
    the keys file again, which is how a test rotates the signing key.
    """

    def __init__(self, *, keys_file: Path, port: int = 0, users_file: Path = DEFAULT_USERS,
                 console_redirects: Sequence[str] = (), console_post_logout: Sequence[str] = (),
                 console_secret: str | None = None, audience: str = "utvag-case-service",
                 access_ttl: int = 600, refresh_ttl: int = 8 * 3600,
                 log_file: Path | None = None) -> None:
        self.keys_file = keys_file
        self.port = port
        self.users_file = users_file
        self.console_redirects = list(console_redirects)
        self.console_post_logout = list(console_post_logout)
        self.console_secret = console_secret
        self.audience = audience
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.log_file = log_file or keys_file.parent / "oidc-provider.log"
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.issuer = ""
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self._log_start = 0

    def _command(self) -> list[str]:
        command = [find_node(), str(OIDC_DIR / "server.mjs"), "--port", str(self.port),
                   "--keys", str(self.keys_file), "--users", str(self.users_file),
                   "--audience", self.audience, "--access-ttl", str(self.access_ttl),
                   "--refresh-ttl", str(self.refresh_ttl), "--exit-with-stdin"]
        for uri in self.console_redirects:
            command += ["--console-redirect", uri]
        for uri in self.console_post_logout:
            command += ["--console-post-logout", uri]
        return command

    def start(self, timeout: float = 30.0) -> str:
        """Start the provider; returns its issuer once discovery answers."""
        if self._process is not None:
            return self.issuer
        ensure_installed()
        self.keys_file.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "NODE_ENV": "production"}
        env.pop("OIDC_CONSOLE_SECRET", None)
        if self.console_secret:
            env["OIDC_CONSOLE_SECRET"] = self.console_secret
        self._log = self.log_file.open("a", encoding="utf-8")
        self._log_start = self._log.tell()
        self._process = subprocess.Popen(  # noqa: S603 - our own script, no shell
            self._command(), cwd=ROOT, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, text=True)
        try:
            self.issuer = self._read_issuer(timeout)
            self.port = int(self.issuer.rsplit(":", 1)[1])
            self._wait_for_discovery(timeout)
        except BaseException:
            self.stop()
            raise
        return self.issuer

    def _read_issuer(self, timeout: float) -> str:
        assert self._process is not None and self._process.stdout is not None
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self._process.stdout.readline()),  # type: ignore[union-attr]
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0].strip():
            raise ProviderError(f"the OIDC provider did not start: {self._last_error()} "
                                f"(log: {self.log_file})")
        issuer = json.loads(line[0]).get("issuer")
        if not isinstance(issuer, str):
            raise ProviderError("the OIDC provider announced no issuer")
        return issuer

    def _last_error(self) -> str:
        if self._process is not None:
            try:
                self._process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                return "no answer in time"
        try:
            with self.log_file.open(encoding="utf-8", errors="replace") as log:
                log.seek(self._log_start)
                lines = log.read().splitlines()
        except OSError:
            return "?"
        ours = [line for line in lines if line.startswith("oidc: ")]
        return ours[-1].removeprefix("oidc: ") if ours else "?"

    def _wait_for_discovery(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.issuer}/.well-known/openid-configuration"
        while True:
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ProviderError(f"the OIDC provider does not answer at {url}")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> str:
        """Stop and start again on the same port (same issuer), re-reading the keys."""
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> EmbeddedProvider:
        self.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


def embedded_for(settings: Settings, *, console_redirects: Sequence[str] = (),
                 console_post_logout: Sequence[str] = ()) -> EmbeddedProvider | None:
    """The provider `make run` starts when the configured issuer is on this machine's
    loopback (the demo default http://127.0.0.1:9400); None when it points at the
    organisation's provider. Keys in <data_dir>/oidc-keys.json, made at first start."""
    url = urlsplit(settings.oidc_issuer)
    port = url.port
    loopback = url.scheme == "http" and url.hostname == "127.0.0.1"
    if not loopback or port is None or url.path.strip("/"):
        return None
    data_dir = settings.data_dir.resolve()
    return EmbeddedProvider(keys_file=data_dir / "oidc-keys.json", port=port,
                            audience=settings.oidc_audience,
                            console_redirects=console_redirects,
                            console_post_logout=console_post_logout,
                            log_file=data_dir / "logs" / "oidc-provider.log")


def add_signing_key(keys_file: Path) -> str:
    """Put a new RSA signing key first in the keys file (the provider signs with the
    first, and still publishes the old ones); returns its kid. Mode 0600."""
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"}, auto_kid=True)
    current: list[dict[str, Any]] = []
    if keys_file.exists():
        current = json.loads(keys_file.read_text(encoding="utf-8")).get("keys", [])
    entry = key.as_dict(private=True)
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(keys_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"keys": [entry, *current]}, out)
    os.chmod(keys_file, 0o600)
    return str(entry["kid"])
