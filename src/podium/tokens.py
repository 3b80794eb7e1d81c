"""API tokens: roles, expiry, revocation; only a hash of each token is stored.

Tokens live in ``<private dir>/tokens.json`` (never served). A token is shown once, when it is
created (`podium token create --role submitter --name alice`); the file keeps its SHA-256.
Roles: ``submitter`` (submit, cancel own submissions) and ``admin`` (everything, including creating
benchmarks and the seeds' ``add_dataset`` / ``add_model``).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from podium import atomic
from podium.config import Home
from podium.errors import UsageError
from podium.schema import utcnow

ROLES = ("submitter", "admin")
PREFIX = "pdm_"


@dataclass
class TokenRecord:
    name: str
    role: str
    sha256: str
    created_at: str
    expires_at: str | None = None
    revoked: bool = False

    def usable(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or datetime.fromisoformat(self.expires_at) > now)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, home: Home):
        self.path = home.private_dir / "tokens.json"

    @contextmanager
    def _locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _load(self) -> list[TokenRecord]:
        if not self.path.is_file():
            return []
        return [TokenRecord(**record) for record in json.loads(self.path.read_text(encoding="utf-8"))]

    def _save(self, records: list[TokenRecord]) -> None:
        atomic.write_text(self.path, json.dumps([asdict(r) for r in records], indent=2) + "\n")

    def create(self, name: str, role: str, expires_days: float | None = None) -> str:
        """A new token for ``name`` with ``role``; the only time the token itself is returned."""
        if role not in ROLES:
            raise UsageError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if not name or not name.strip():
            raise UsageError("a token needs a --name (who uses it)")
        token = PREFIX + secrets.token_urlsafe(32)
        now = utcnow()
        expires = (now + timedelta(days=expires_days)).isoformat() if expires_days else None
        with self._locked():
            records = self._load()
            records.append(TokenRecord(name.strip(), role, _digest(token), now.isoformat(), expires))
            self._save(records)
        return token

    def revoke(self, name: str) -> int:
        with self._locked():
            records = self._load()
            count = 0
            for record in records:
                if record.name == name and not record.revoked:
                    record.revoked = True
                    count += 1
            self._save(records)
        return count

    def list(self) -> list[TokenRecord]:
        return self._load()

    def lookup(self, token: str) -> TokenRecord | None:
        """The record of a presented token (compared in constant time), or None."""
        digest = _digest(token)
        for record in self._load():
            if hmac.compare_digest(record.sha256, digest):
                return record
        return None
