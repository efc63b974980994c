"""Bearer JWT: who is calling, and with which role (`shared.tokens` verifies the token: an
identity provider's, or HS256 with `AUTH_SECRET` in development).

Claims: `sub` (a merchant's `sub` is its merchant id), the role (`AUTH_ROLE_CLAIM`), `exp`.
No or bad token: 401, saying why; wrong role: 403 (`require_role`); another party's
resource: the services answer 404.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Request

from shared.contract.types import Role
from shared.errors import Forbidden, NotFound, Unauthorized
from shared.jwks import KeysUnavailable
from shared.problems import Problem
from shared.tokens import TokenVerifier


class Owned(Protocol):
    """A resource of a merchant (and of a buyer, where it has a `buyer_id`)."""

    @property
    def merchant_id(self) -> str: ...


V = TypeVar("V", bound=Owned)


@dataclass(frozen=True)
class Principal:
    sub: str
    role: Role

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"

    # Visibility, the one rule every service applies: an operator sees everything, a
    # merchant what is its own, a buyer what they bought. Anything else is absent (404).

    def may_see(self, *, merchant_id: str | None, buyer_id: str | None = None) -> bool:
        """Whether this caller may see a resource of that merchant (and buyer)."""
        if self.is_operator:
            return True
        owner = merchant_id if self.role == "merchant" else buyer_id
        return owner is not None and owner == self.sub

    def sees(self, found: V | None, missing: str) -> V:
        """`found` if this caller may see it (by its `merchant_id` and, where it has one, its
        `buyer_id`); else `NotFound(missing)`: another party's resource is as absent as one
        that does not exist, so nobody learns what is not theirs."""
        if found is None or not self.may_see(
            merchant_id=found.merchant_id, buyer_id=getattr(found, "buyer_id", None)
        ):
            raise NotFound(missing)
        return found

    def owns(self, found: V | None, missing: str) -> V:
        """`found` if this caller is its merchant (what only the owner may change, even
        operators not); else `NotFound(missing)`, as `sees`."""
        if found is None or found.merchant_id != self.sub:
            raise NotFound(missing)
        return found

    def scope(self) -> dict[str, str]:
        """`may_see` as a query condition on `merchant_id`/`buyer_id` (none for operators)."""
        if self.is_operator:
            return {}
        return {"merchant_id" if self.role == "merchant" else "buyer_id": self.sub}


async def authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send `Authorization: Bearer <token>`.")
    verifier: TokenVerifier = request.app.state.tokens
    try:
        sub, role = await verifier.verify(token.strip())
    except KeysUnavailable as error:
        raise Problem(
            str(error), status=503, kind="unavailable", title="Temporarily unavailable"
        ) from None
    return Principal(sub=sub, role=role)


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_role(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                f"This needs the role {' or '.join(roles)}; your token has {principal.role}."
            )
        return principal

    return dependency


def require_merchant_self_or_operator(principal: Principal, merchant_id: str) -> None:
    """A merchant's own figures, or an operator: anyone else sees no such merchant (404)."""
    if principal.is_operator or (principal.role == "merchant" and principal.sub == merchant_id):
        return
    raise NotFound(f"No merchant {merchant_id} for you.")


Buyer = Annotated[Principal, Depends(require_role("buyer"))]
Merchant = Annotated[Principal, Depends(require_role("merchant"))]
Operator = Annotated[Principal, Depends(require_role("operator"))]
