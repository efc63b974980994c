"""The console's own rules, with the services answered by a fake transport: who may see
which page, the CSRF check, how a service's refusal reaches the person, and the settings
production refuses."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from console.app import create
from console.pages.sign_in import _safe_next
from console.settings import ConsoleSettings
from console.web import money

Answer = Callable[[httpx.Request], httpx.Response]
PROBLEM = {"content-type": "application/problem+json"}


def _client(answer: Answer) -> Iterator[TestClient]:
    settings = ConsoleSettings(AUTH_SECRET="unit-test-secret-0123456789abcdef")
    app = create(settings, transport=httpx.MockTransport(answer))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def seen() -> list[httpx.Request]:
    return []


@pytest.fixture
def console(seen: list[httpx.Request]) -> Iterator[TestClient]:
    """The console; the orders service answers an empty desk, or refuses a batch."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST" and request.url.path == "/orders/confirm":
            body = {
                "title": "Request cannot be processed",
                "detail": "Fix these fields and send again: body.order_ids.0: too long",
                "errors": [{"loc": ["body", "order_ids"], "msg": "at most 100 characters"}],
            }
            return httpx.Response(422, json=body, headers=PROBLEM)
        if request.url.path == "/orders":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return httpx.Response(503, json={"detail": "engine down"})

    yield from _client(answer)


def _csrf(client: TestClient) -> str:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/sign-in").text)
    assert csrf is not None
    return csrf.group(1)


def _sign_in(client: TestClient, role: str, sub: str) -> str:
    """Signs in; the session's new CSRF token (a sign-in starts a new session)."""
    answer = client.post(
        "/sign-in",
        data={"csrf": _csrf(client), "role": role, "sub": sub, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return _csrf(client)


def test_a_page_sends_whoever_is_not_signed_in_to_sign_in_and_back(console: TestClient) -> None:
    answer = console.get("/desk?cursor=abc", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/desk%3Fcursor%3Dabc"


def test_the_merchant_s_token_reaches_the_service(
    console: TestClient, seen: list[httpx.Request]
) -> None:
    _sign_in(console, "merchant", "m-1")
    page = console.get("/desk")
    assert page.status_code == 200
    assert "No order waits for your confirmation." in page.text
    [call, *_] = seen
    assert call.url.params["status"] == "awaiting_confirmation"
    assert call.headers["authorization"].startswith("Bearer ey")


def test_another_role_s_page_says_whose_it_is(console: TestClient) -> None:
    _sign_in(console, "buyer", "b-1")
    page = console.get("/desk")
    assert page.status_code == 403
    assert "This page is for merchants; you are signed in as buyer b-1." in page.text


def test_a_form_without_the_session_s_token_changes_nothing(
    console: TestClient, seen: list[httpx.Request]
) -> None:
    _sign_in(console, "merchant", "m-1")
    refused = console.post("/desk/confirm", data={"csrf": "forged", "order_ids": "o-1"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    assert not [r for r in seen if r.method == "POST"]


def test_a_service_s_refusal_shows_its_detail_and_the_field_s_message(console: TestClient) -> None:
    csrf = _sign_in(console, "merchant", "m-1")
    refused = console.post("/desk/confirm", data={"csrf": csrf, "order_ids": "o-1"})
    assert refused.status_code == 422
    assert "Fix these fields and send again" in refused.text
    assert "at most 100 characters" in refused.text


def test_an_empty_batch_is_refused_before_any_service_is_asked(
    console: TestClient, seen: list[httpx.Request]
) -> None:
    csrf = _sign_in(console, "merchant", "m-1")
    refused = console.post("/desk/confirm", data={"csrf": csrf})
    assert refused.status_code == 422
    assert "Tick the orders you confirm" in refused.text
    assert not [r for r in seen if r.method == "POST"]


def test_a_failing_service_is_a_502_that_says_which() -> None:
    for console in _client(lambda request: httpx.Response(503, json={"detail": "down"})):
        _sign_in(console, "merchant", "m-1")
        page = console.get("/desk")
        assert page.status_code == 502
        assert "The orders service failed (503). Try again in a moment." in page.text


def test_the_development_sign_in_refuses_an_unknown_role_beside_the_field(
    console: TestClient,
) -> None:
    refused = console.post("/sign-in", data={"csrf": _csrf(console), "role": "root", "sub": ""})
    assert refused.status_code == 422
    assert 'id="role-error"' in refused.text
    assert 'id="sub-error"' in refused.text


@pytest.mark.parametrize(
    ("asked", "safe"),
    [
        ("/desk?x=1", "/desk?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("desk", "/"),
        (None, "/"),
    ],
)
def test_after_sign_in_only_a_page_of_the_console_is_next(asked: str | None, safe: str) -> None:
    assert _safe_next(asked) == safe


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (1234, "EUR", "€12.34"),
        (1234, "JPY", "¥1,234"),
        (-5, "USD", "-$0.05"),
        (7, "BHD", "BHD0.007"),
    ],
)
def test_an_amount_shows_its_currency_s_decimals(minor: int, currency: str, shown: str) -> None:
    assert money(minor, currency).replace("\xa0", "") == shown


@pytest.mark.parametrize(
    ("settings", "refusal"),
    [
        ({}, "CONSOLE_DEV_SIGN_IN"),
        ({"CONSOLE_DEV_SIGN_IN": "false"}, "CONSOLE_SESSION_SECRET"),
        (
            {"CONSOLE_DEV_SIGN_IN": "false", "CONSOLE_SESSION_SECRET": "s" * 32},
            "CONSOLE_SECURE_COOKIES",
        ),
        (
            {
                "CONSOLE_DEV_SIGN_IN": "false",
                "CONSOLE_SESSION_SECRET": "s" * 32,
                "CONSOLE_SECURE_COOKIES": "true",
            },
            "CONSOLE_OIDC_DISCOVERY_URL",
        ),
    ],
)
def test_production_refuses_the_development_console(
    settings: dict[str, str], refusal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("AUTH_JWKS_FILE", raising=False)  # the test run's provider's
    monkeypatch.setenv("AUTH_JWKS_URL", "https://idp.example/certs")
    monkeypatch.setenv("AUTH_ISSUER", "https://idp.example/")
    monkeypatch.setenv("AUTH_AUDIENCE", "marketplace")
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=refusal):
        ConsoleSettings()


def test_production_runs_with_a_provider_and_https_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "ENVIRONMENT": "production",
        "AUTH_JWKS_URL": "https://idp.example/certs",
        "AUTH_ISSUER": "https://idp.example/",
        "AUTH_AUDIENCE": "marketplace",
        "CONSOLE_DEV_SIGN_IN": "false",
        "CONSOLE_SESSION_SECRET": "s" * 32,
        "CONSOLE_SECURE_COOKIES": "true",
        "CONSOLE_OIDC_DISCOVERY_URL": "https://idp.example/.well-known/openid-configuration",
        "CONSOLE_OIDC_CLIENT_ID": "console",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AUTH_JWKS_FILE", raising=False)
    assert ConsoleSettings().secure_cookies
