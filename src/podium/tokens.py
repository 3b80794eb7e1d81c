"""API tokens: roles, expiry, revocation; only a hash of each token is stored.

Tokens live in ``<private dir>/tokens.json`` (never served). A token is shown once, when it is
created (`podium token create --role submitter --name alice`); the file keeps its SHA-256.
Roles: ``submitter`` (submit, cancel own submissions) and ``admin`` (everything, including creating
benchmarks and the seeds' ``add_dataset`` / ``add_model``).

Ownership: a model is named ``org/name``, and only holders of the org change its rows. A token
carries the orgs it may submit for: its own name (the default org) and those given with
``--org`` or granted later (`podium token grant NAME --org acme`); grants and revocations apply to
every token of that name. Orgs are compared by their slug, so ``ACME`` and ``acme`` are one org.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from filelock import FileLock

from podium import atomic
from podium.config import Home
from podium.errors import UsageError
from podium.schema import utcnow
from podium.slugs import slugify

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
    orgs: list[str] = field(default_factory=list)  # besides its own name, which is always its org

    def usable(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or datetime.fromisoformat(self.expires_at) > now)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def default_org(self) -> str:
        """The org a model named without one is submitted for: the token's own name."""
        return self.name

    def holds(self, org: str) -> bool:
        """May this identity change rows of ``org``? Admins hold every org."""
        if self.is_admin:
            return True
        key = org_key(org)
        return any(org_key(o) == key for o in (self.name, *self.orgs))


def org_key(org: str) -> str:
    """What makes two org names the same org: their slug ('ACME', 'acme' and 'Acme ' are one)."""
    return slugify(unicodedata.normalize("NFKC", org).casefold())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, home: Home):
        self.path = home.private_dir / "tokens.json"
        self._cache: tuple[tuple[int, int, int], list[TokenRecord]] | None = None

    def _locked(self) -> FileLock:
        """Serialises read-modify-write of the file across threads and processes (an ``flock`` the
        kernel releases if its holder dies, so a killed ``podium token`` never blocks the next)."""
        return FileLock(self.path.with_suffix(".lock"))

    def _load(self) -> list[TokenRecord]:
        if not self.path.is_file():
            return []
        known = set(TokenRecord.__dataclass_fields__)
        return [
            TokenRecord(**{k: v for k, v in record.items() if k in known})  # fields of later versions are kept out
            for record in json.loads(self.path.read_text(encoding="utf-8"))
        ]

    def _read_only(self) -> list[TokenRecord]:
        """``_load`` through a cache keyed by the file's identity: the request guard looks a token up
        on every request that carries one, and the file changes rarely. Never mutate the result."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return []
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._cache is None or self._cache[0] != stamp:
            self._cache = (stamp, self._load())
        return self._cache[1]

    def _save(self, records: list[TokenRecord]) -> None:
        atomic.write_text(self.path, json.dumps([asdict(r) for r in records], indent=2) + "\n")

    def create(self, name: str, role: str, expires_days: float | None = None, orgs: list[str] | None = None) -> str:
        """A new token for ``name`` with ``role`` (and ``orgs`` besides its own name); the only time the
        token itself is returned. A new token of an existing name also holds that name's granted orgs."""
        if role not in ROLES:
            raise UsageError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if not name or not name.strip():
            raise UsageError("a token needs a --name (who uses it)")
        name = name.strip()
        wanted = [_check_org(o) for o in orgs or []]
        token = PREFIX + secrets.token_urlsafe(32)
        now = utcnow()
        expires = (now + timedelta(days=expires_days)).isoformat() if expires_days else None
        with self._locked():
            records = self._load()
            # a name is also an org: a new name must not silently hold an org that is someone else's
            key = org_key(name)
            for other in records:
                if other.name != name and not other.revoked and key in {org_key(o) for o in (other.name, *other.orgs)}:
                    raise UsageError(
                        f"a token named {name!r} would hold the org {key!r}, which is {other.name!r}'s; choose "
                        f"another name, or give {name!r}'s token that org on purpose with podium token grant"
                    )
            held = [o for r in records if r.name == name and not r.revoked for o in r.orgs]
            record = TokenRecord(name, role, _digest(token), now.isoformat(), expires, orgs=_merge(held, wanted))
            records.append(record)
            self._save(records)
        return token

    def grant(self, name: str, orgs: list[str]) -> list[str]:
        """Let every active token of ``name`` submit for ``orgs`` too; the orgs it now holds."""
        wanted = [_check_org(o) for o in orgs]
        with self._locked():
            records = self._load()
            active = [r for r in records if r.name == name and not r.revoked]
            if not active:
                raise UsageError(f"no active token named {name!r} (create one with podium token create --name {name})")
            for record in active:
                record.orgs = _merge(record.orgs, wanted)
            self._save(records)
            return [name, *active[0].orgs]

    def ungrant(self, name: str, orgs: list[str]) -> list[str]:
        """Take ``orgs`` away from every token of ``name`` (its own name stays its org); what it still holds."""
        gone = {org_key(o) for o in orgs}
        if org_key(name) in gone:
            raise UsageError(f"{name!r} is the token's own name, always its org: revoke the token instead")
        with self._locked():
            records = self._load()
            mine = [r for r in records if r.name == name]
            if not mine:
                raise UsageError(f"no token named {name!r}")
            for record in mine:
                record.orgs = [o for o in record.orgs if org_key(o) not in gone]
            self._save(records)
            return [name, *mine[-1].orgs]

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

    def orgs_of(self, name: str) -> list[str]:
        """The orgs the active tokens of ``name`` submit for (its own name first)."""
        held = [o for r in self._load() if r.name == name and not r.revoked for o in r.orgs]
        return [name, *_merge([], held)]

    def list(self) -> list[TokenRecord]:
        return self._load()

    def lookup_usable(self, token: str | None) -> TokenRecord | None:
        """The record of a presented token that is neither expired nor revoked, or None."""
        if not token or not token.strip():
            return None
        record = self.lookup(token.strip())
        return record if record is not None and record.usable(utcnow()) else None

    def lookup(self, token: str) -> TokenRecord | None:
        """The record of a presented token (compared in constant time), or None."""
        digest = _digest(token)
        for record in self._read_only():
            if hmac.compare_digest(record.sha256, digest):
                return record
        return None


def _check_org(org: str) -> str:
    org = unicodedata.normalize("NFKC", org or "").strip()
    if not org or "/" in org or not org_key(org):
        raise UsageError(f"org {org!r} must be a non-empty name without '/'")
    return org


def _merge(held: list[str], wanted: list[str]) -> list[str]:
    merged: list[str] = []
    for org in [*held, *wanted]:
        if org_key(org) not in {org_key(o) for o in merged}:
            merged.append(org)
    return merged
