"""Signing in and out.

- Development (`CONSOLE_DEV_SIGN_IN`, refused in production): a role and a subject; the
  console signs the token as `make token` would (`shared.dev_idp.signing_for`), so the
  services accept it.
- The identity provider (`CONSOLE_OIDC_*`): OpenID Connect's authorization code flow with
  PKCE (Authlib). The console keeps the provider's access token, which the services verify
  against the provider's keys (`AUTH_JWKS_URL`), as it is: its `sub` and role claim are who
  the user is everywhere.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from authlib.integrations.starlette_client import OAuthError
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from console.session import Form, SignedIn, User, sign_in, sign_out
from console.web import back_to, render
from shared.errors import Unauthorized
from shared.tokens import ROLES, TokenVerifier

router = APIRouter(tags=["sign-in"])
HOME = {"operator": "/review", "merchant": "/desk", "buyer": "/orders"}


def _safe_next(value: str | None) -> str:
    """Only a path of this console: never a redirect to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or urlsplit(value).netloc:
        return "/"
    return value


@router.get("/")
async def home(user: SignedIn) -> RedirectResponse:
    return back_to(HOME.get(user.role, "/orders"))


Next = Annotated[str | None, Query(max_length=2000)]


def _page(request: Request, *, status: int = 200, **context: Any) -> Response:
    """The sign-in page: development sign-in where it is on, the provider's where one is."""
    console = request.app.state.console
    dev = console.settings.dev_sign_in and console.signing.algorithm is not None
    return render(
        request,
        "sign_in.html",
        status=status,
        roles=ROLES,
        dev=dev,
        provider=console.oauth is not None,
        **({"next": "/", "errors": {}} | context),
    )


@router.get("/sign-in")
async def sign_in_page(
    request: Request, next: Next = None, why: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    return _page(request, next=_safe_next(next), why=why)


@router.post("/sign-in")
async def dev_sign_in(request: Request, form: Form) -> Response:
    console = request.app.state.console
    if not (console.settings.dev_sign_in and console.signing.algorithm):
        return _page(request, status=403, why="Development sign-in is off here.")
    role, sub = str(form.get("role", "")), str(form.get("sub", "")).strip()
    next_path = _safe_next(str(form.get("next", "")))
    errors = {}
    if role not in ROLES:
        errors["role"] = f"Pick one of: {', '.join(ROLES)}."
    if not sub or len(sub) > 64:
        errors["sub"] = "Give the subject you act as (1 to 64 characters), e.g. op-1 or m-1."
    if errors:
        return _page(request, status=422, next=next_path, errors=errors, role=role, sub=sub)
    sign_in(request, User(sub, role, console.signing.token(sub, role)))
    return back_to(next_path)


@router.get("/sign-in/provider")
async def provider_sign_in(request: Request, next: Next = None) -> Response:
    console = request.app.state.console
    if console.oauth is None:
        return _page(request, status=404, why="No identity provider is configured here.")
    request.session["next"] = _safe_next(next)
    redirect_uri = str(request.url_for("provider_callback"))
    response: Response = await console.oauth.idp.authorize_redirect(request, redirect_uri)
    return response


@router.get("/sign-in/callback", name="provider_callback")
async def provider_callback(request: Request) -> Response:
    console = request.app.state.console
    if console.oauth is None:
        return _page(request, status=404, why="No identity provider is configured here.")
    try:
        answer = await console.oauth.idp.authorize_access_token(request)
    except OAuthError as error:
        return _page(request, status=403, why=f"The identity provider refused: {error.error}.")
    token = str(answer.get("access_token", ""))
    verifier: TokenVerifier = request.app.state.tokens
    try:
        sub, role = await verifier.verify(token)
    except Unauthorized as refused:
        why = f"The identity provider's token is not one the platform accepts: {refused}"
        return _page(request, status=403, why=why)
    next_path = _safe_next(request.session.get("next"))
    sign_in(request, User(sub, role, token))
    return back_to(next_path)


@router.post("/sign-out")
async def sign_out_now(request: Request, form: Form) -> Response:
    sign_out(request)
    return back_to("/sign-in")
