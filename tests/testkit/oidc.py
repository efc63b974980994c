"""An OpenID Connect provider over real HTTP (a thread of this process), for the console's
sign-in through an identity provider: discovery, the authorization endpoint (which signs in
the one person it was told to, as a provider would after its own login page), the token
endpoint (authorization code with PKCE S256, checked) and the JWKS.

It signs with the test run's identity provider's key (`devkit.idp.signing`): the access
token is the one the services verify (their `iss`, `aud` and role claim), the ID token
the console's OIDC client checks (this provider's issuer, the client id, the nonce).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

from devkit.idp import JWKS_FILE, signing
from testkit.tokens import serving

CLIENT_ID, CLIENT_SECRET = "marketplace-console", "console-client-secret"


class OidcProvider:
    def __init__(self, sub: str, role: str) -> None:
        self.sub, self.role = sub, role
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests = 0
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def _metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _authorize(self, query: dict[str, str]) -> str:
        """Where the browser goes next: back to the client with a code."""
        assert query["client_id"] == CLIENT_ID
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        answer = {"code": code, "state": query["state"]}
        return f"{query['redirect_uri']}?{urlencode(answer)}"

    def _token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        client = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {client}":  # client_secret_basic, the default
            return 401, {"error": "invalid_client"}
        asked = self.codes.pop(form.get("code", ""), None)
        if asked is None or form.get("redirect_uri") != asked["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != asked["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        signer = signing()
        now = datetime.now(UTC)
        id_token = jwt.encode(
            {
                "iss": self.issuer,
                "aud": CLIENT_ID,
                "sub": self.sub,
                "nonce": asked.get("nonce"),
                "iat": now,
                "exp": now + timedelta(minutes=5),
            },
            signer.key,
            algorithm="ES256",
            headers={"kid": signer.kid} if signer.kid else None,
        )
        access_token = signer.token(self.sub, self.role, ttl=timedelta(hours=1))
        return 200, {
            "access_token": access_token,
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": 3600,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider._metadata())
                elif url.path == "/jwks":
                    idp = signing().idp
                    assert idp is not None, "the test run's provider signs"
                    self._send(200, json.loads((idp / JWKS_FILE).read_text()))
                elif url.path == "/authorize":
                    self.send_response(302)
                    self.send_header("location", provider._authorize(query))
                    self.send_header("content-length", "0")
                    self.end_headers()
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                self._send(*provider._token(form, self.headers.get("authorization", "")))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def running(self) -> Iterator[OidcProvider]:
        with serving(self._http):
            yield self
