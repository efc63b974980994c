"""Development tokens for tests, signed with the services' development secret."""

from __future__ import annotations

from shared.auth import mint_token
from shared.settings import DEV_AUTH_SECRET


def bearer(role: str, sub: str, secret: str = DEV_AUTH_SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(secret, sub=sub, role=role)}"}
