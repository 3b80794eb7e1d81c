"""Names that become paths: checked or turned into safe slugs, never trusted as they are."""

from __future__ import annotations

import re
import unicodedata

from podium.errors import PodiumError

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


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


def slugify(value: str, *, fallback: str = "item") -> str:
    """Turn any text into a safe slug: 'Org/My Model v2!' -> 'org-my-model-v2'."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9._]+", "-", text.lower())
    text = re.sub(r"\.{2,}", ".", text).strip("-._")[:100].strip("-._")
    return text or fallback
