"""Who is signed in: the session cookie (signed, HTTP-only, SameSite=Lax) holds the user's
token, and the token is verified on every request, as the services verify it, so an
expired or forged one sends the user back to sign in rather than to a service's 401.

Every form carries the session's CSRF token (`csrf_token`), checked on every POST
(`checked_form`): a page of another site cannot make the console act for its user, even
where a browser would send the cookie.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData

from shared.errors import Unauthorized
from shared.tokens import TokenVerifier


@dataclass(frozen=True)
class User:
    sub: str
    role: str
    token: str

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"


class SignInRequired(Exception):
    """No session, or its token no longer verifies: back to sign-in, then to `next`."""

    def __init__(self, next_path: str, why: str = "") -> None:
        super().__init__(why)
        self.next_path, self.why = next_path, why

    @property
    def location(self) -> str:
        where = f"/sign-in?next={quote(self.next_path, safe='/')}"
        return f"{where}&why={quote(self.why)}" if self.why else where


class NotForYou(Exception):
    """A page of another role (403), saying whose it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleForm(Exception):
    """A POST without this session's CSRF token (403)."""


def sign_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update({"token": user.token, "csrf": secrets.token_urlsafe(24)})


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def current_user(request: Request) -> User:
    token = request.session.get("token")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not isinstance(token, str):
        raise SignInRequired(here)
    verifier: TokenVerifier = request.app.state.tokens
    try:
        sub, role = await verifier.verify(token)
    except Unauthorized as refused:
        sign_out(request)
        raise SignInRequired(here, f"Your session ended: {refused}") from None
    user = User(sub, role, token)
    request.state.user = user  # every page shows who is signed in
    return user


def role_page(*roles: str) -> Callable[[User], Coroutine[Any, Any, User]]:
    async def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in roles:
            raise NotForYou(
                f"This page is for {' and '.join(r + 's' for r in roles)}; you are signed "
                f"in as {user.role} {user.sub}."
            )
        return user

    return dependency


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token is this session's."""
    form = await request.form()
    sent = form.get("csrf")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, csrf_token(request)):
        raise StaleForm()
    return form


SignedIn = Annotated[User, Depends(current_user)]
Operator = Annotated[User, Depends(role_page("operator"))]
Merchant = Annotated[User, Depends(role_page("merchant"))]
Buyer = Annotated[User, Depends(role_page("buyer"))]
OperatorOrMerchant = Annotated[User, Depends(role_page("operator", "merchant"))]
Form = Annotated[FormData, Depends(checked_form)]
