"""Names that become paths: checked or turned into safe slugs, never trusted as they are."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from podium.errors import PodiumError

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
MAX_SLUG_LENGTH = 100
HASH_CHARS = 8  # 32 bits: distinct for any realistic set of names; a clash is still caught as a conflict


class UnsafeNameError(PodiumError, ValueError):
    """A name that cannot be used as (part of) a path."""

    exit_code = 2


def check_slug(value: str, *, what: str = "id") -> str:
    """Return ``value`` if it is a safe slug (lowercase letters, digits, '.', '-', '_'; no '..')."""
    if not isinstance(value, str) or not _SLUG_RE.match(value) or ".." in value:
        raise UnsafeNameError(
            f"{what} {value!r} is not a safe slug: use 1-100 lowercase letters, digits, '.', '-' "
            f"or '_', starting with a letter or digit (for example {slugify(str(value))!r})"
        )
    return value


_MODULE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_module_name(value: str, *, what: str = "module name") -> str:
    """Return ``value`` if it can name a Python module and a folder: lowercase letters, digits and
    '_', starting with a letter, at most 64 characters."""
    if not isinstance(value, str) or not _MODULE_NAME_RE.match(value):
        raise UnsafeNameError(
            f"{what} {value!r} is not usable: use 1-64 lowercase letters, digits or '_', starting with a letter"
        )
    return value


def slugify(value: str, *, fallback: str | None = None) -> str:
    """Turn any text into a safe slug: 'Org/My Model v2!' -> 'org-my-model-v2'.

    Letters with an ASCII base keep it ('Café' -> 'cafe'). Letters without one (Cyrillic, Han,
    ...) cannot be spelled in a slug, so a short hash of the NFKC name keeps such names apart and
    stable: 'Модель' -> 'u-<hash>', 'Модель 2' -> '2-<hash>'. ``fallback``, when given, is returned
    instead of 'u-<hash>' for a name that leaves nothing at all (the old behaviour, for callers
    that add their own unique suffix).
    """
    name = unicodedata.normalize("NFKC", value).strip()
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9._]+", "-", text.lower())
    text = _trim(re.sub(r"\.{2,}", ".", text), MAX_SLUG_LENGTH)
    if name.isascii() or not _loses_letters(name):
        return text or fallback or _hashed("", name)
    if not text and fallback is not None:
        return fallback
    return _hashed(text, name)


def _trim(text: str, length: int) -> str:
    return text.strip("-._")[:length].strip("-._")


def _hashed(text: str, name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_CHARS]
    stem = _trim(text, MAX_SLUG_LENGTH - HASH_CHARS - 1) or "u"
    return f"{stem}-{digest}"


def _loses_letters(name: str) -> bool:
    """Whether some letter or digit of ``name`` has no ASCII letter or digit in its decomposition."""
    for char in name:
        if char.isalnum() and not char.isascii():
            if not any(part.isascii() and part.isalnum() for part in unicodedata.normalize("NFKD", char)):
                return True
    return False
