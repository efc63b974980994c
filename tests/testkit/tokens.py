"""Tokens for tests: `bearer`, signed as this run's services verify them
(`devkit.idp.signing`: the run's identity provider, conftest.py); and, for the tests of
the verifier itself, keys of an identity provider of a test's own and a JWKS served over
HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import get_default_algorithms

from devkit.idp import signing


def bearer(role: str, sub: str) -> dict[str, str]:
    return signing().bearer(sub, role)


@dataclass(frozen=True)
class Key:
    """A signing key of a test's identity provider."""

    private: Any
    kid: str
    algorithm: str

    @classmethod
    def ec(cls, kid: str) -> Key:
        return cls(ec.generate_private_key(ec.SECP256R1()), kid, "ES256")

    @classmethod
    def rsa(cls, kid: str) -> Key:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), kid, "RS256")

    @classmethod
    def ed25519(cls, kid: str) -> Key:
        return cls(ed25519.Ed25519PrivateKey.generate(), kid, "EdDSA")

    @property
    def jwk(self) -> dict[str, Any]:
        """The public key as its provider publishes it."""
        public = get_default_algorithms()[self.algorithm].to_jwk(
            self.private.public_key(), as_dict=True
        )
        return {**public, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """`claims` signed with this key; `header` adds to (or replaces) `kid`."""
        headers = {"kid": self.kid, **header}
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers=headers)


def jwks(*keys: Key) -> dict[str, Any]:
    return {"keys": [key.jwk for key in keys]}


# --- An attacker's tools: what PyJWT will not do -----------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_by_hand(secret: bytes, claims: dict[str, Any], kid: str) -> str:
    """An HS256 token with any bytes as its secret, e.g. a provider's public key (PyJWT
    refuses to sign with one; an attacker's tool does not)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def rewritten(token: str, **changes: Any) -> str:
    """`token` with its claims changed and its signature kept (a tampered payload)."""
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | changes
    return ".".join((header, _b64(json.dumps(claims).encode()), signature))


def public_pem(key: Key) -> bytes:
    return key.private.public_key().public_bytes(  # type: ignore[no-any-return]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class JwksServer:
    """A JWKS at `url` over real HTTP (a thread of this process): what it serves can be
    changed (`document`, or `status` to fail), and every request is counted (`hits`)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document, self.status, self.hits = document, 200, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                body = json.dumps(server.document).encode()
                self.send_response(server.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/certs"

    @contextmanager
    def running(self) -> Iterator[JwksServer]:
        with serving(self._http):
            yield self


@contextmanager
def serving(http: ThreadingHTTPServer) -> Iterator[None]:
    """`http` answering from a thread of this process for the `with` block, then closed."""
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        http.shutdown()
        http.server_close()
        thread.join()
