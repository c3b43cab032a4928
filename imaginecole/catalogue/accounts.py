"""Standalone accounts and API tokens: the token is shown once, only its sha256 is kept.

Each token carries its own role (teacher, reviewer, editor), so one account may
hold a teacher token for its laptop and an editor token for the national server.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select

from ..i18n import ImaginecoleError
from .db import Account, Database, Token, utcnow
from .model import ROLES, Principal, principal_for_role

_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AccountsMixin:
    """`Catalogue` methods for accounts and API tokens."""

    db: Database

    def create_token(
        self, role: str, name: str | None = None, note: str = ""
    ) -> tuple[str, Principal]:
        """A new API token for `name` (made if needed) with `role`; only its sha256 is kept."""
        if role not in ROLES:
            raise ImaginecoleError(
                "Unknown role « {role} »: use one of {allowed}.",
                role=role,
                allowed=", ".join(ROLES),
            )
        name = name or f"token-{secrets.token_hex(4)}"
        if not _ACCOUNT_NAME.match(name):
            raise ImaginecoleError(
                "« {name} » is not a valid account name: use 1 to 64 letters, digits, "
                "., _, @ or -.",
                name=name[:80],
            )
        token = new_token()
        accounts, tokens = Account.__table__, Token.__table__
        with self.db.write() as conn:
            account = conn.execute(select(accounts).where(accounts.c.name == name)).first()
            if account is None:
                conn.execute(
                    accounts.insert().values(name=name, display_name=name, created=utcnow())
                )
                account = conn.execute(select(accounts).where(accounts.c.name == name)).one()
            conn.execute(
                tokens.insert().values(
                    account_id=account.id,
                    sha256=_token_hash(token),
                    role=role,
                    note=note[:500],
                    created=utcnow(),
                )
            )
        return token, principal_for_role(name, role, account.display_name)

    def principal_for_token(self, token: str) -> Principal | None:
        if not token or not isinstance(token, str) or len(token) > 200:
            return None
        with self.db.read() as conn:
            row = conn.execute(
                select(Account.name, Account.display_name, Token.role)
                .join(Token, Token.account_id == Account.id)
                .where(Token.sha256 == _token_hash(token))
            ).first()
        if row is None or row.role not in ROLES:
            return None
        return principal_for_role(row.name, row.role, row.display_name)


TOKEN_PREFIX = "ic_"


def new_token() -> str:
    """A fresh token: "ic_" and 43 URL-safe characters, so it never starts with "-" (a
    command line would read it as an option). Older tokens without the prefix stay valid."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
