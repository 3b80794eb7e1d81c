"""Names people choose (models, organisations, benchmarks): normalised and checked once, here.

A name is shown on the leaderboard as text and becomes a slug in file names, so two names that
look alike are a way to pass one model off as another. ``check_name``:

- NFKC-normalises (full-width, ligatures, compatibility spaces become their plain forms) and
  collapses runs of spaces to one (a browser shows "a  b" as "a b"); leading and trailing white
  space is stripped;
- refuses control, format (including zero-width joiners and bidi controls), private-use,
  surrogate and unassigned characters, which are invisible or render unpredictably;
- refuses more than four combining marks in a row, or the same mark twice in a row (stacked marks
  hide what is under them; Unicode TS #39, section 5.4);
- refuses mixed-script look-alikes following TS #39's "highly restrictive" level: every letter is
  from one script (plus Common and Inherited characters such as digits and punctuation), or
  from Latin with Han, Hiragana and Katakana, Latin with Han and Hangul, or Latin with Han and
  Bopomofo. Scripts outside UAX #31's recommended and limited-use lists (historic scripts) are
  refused too, as TS #39's identifier profile does.

Scripts come from the ``regex`` package's Unicode data (``\\p{Script=...}``), which follows the
current Unicode version; the standard library's ``unicodedata`` has no script property.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from podium.errors import InvalidField, quote

# UAX #31 table 5 (recommended) and table 7 (limited use); anything else is historic or
# specialised and refused. Common first: most characters of most names are ASCII punctuation
# and digits, and the alternation stops at the first match.
_RECOMMENDED_SCRIPTS = (
    "Latin", "Han", "Hiragana", "Katakana", "Hangul", "Bopomofo", "Cyrillic", "Greek", "Arabic", "Hebrew",
    "Armenian", "Georgian", "Ethiopic", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil",
    "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar", "Khmer", "Thaana",
)  # fmt: skip
_LIMITED_USE_SCRIPTS = (
    "Adlam", "Balinese", "Bamum", "Batak", "Canadian_Aboriginal", "Chakma", "Cham", "Cherokee",
    "Hanifi_Rohingya", "Javanese", "Kayah_Li", "Lepcha", "Limbu", "Lisu", "Mandaic", "Meetei_Mayek", "Miao",
    "Mongolian", "New_Tai_Lue", "Newa", "Nko", "Nyiakeng_Puachue_Hmong", "Ol_Chiki", "Osage", "Saurashtra",
    "Sundanese", "Syloti_Nagri", "Syriac", "Tai_Le", "Tai_Tham", "Tai_Viet", "Tifinagh", "Vai", "Wancho", "Yi",
)  # fmt: skip
_NEUTRAL = ("Common", "Inherited")  # digits, punctuation, combining marks: go with any script


@functools.cache
def _script_pattern():
    """One alternation of every usable script; compiled on the first non-ASCII name (importing
    ``regex`` and compiling take tens of milliseconds that ASCII-only processes never pay)."""
    import regex

    names = (*_NEUTRAL, *_RECOMMENDED_SCRIPTS, *_LIMITED_USE_SCRIPTS)
    return regex.compile("|".join(f"(?P<{name}>\\p{{Script={name}}})" for name in names))


# TS #39 "highly restrictive": the script sets a name may combine (any single script is fine too).
ALLOWED_SCRIPT_MIXES: tuple[frozenset[str], ...] = (
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),
    frozenset({"Latin", "Han", "Hangul"}),
    frozenset({"Latin", "Han", "Bopomofo"}),
)
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Co": "a private-use character",
    "Cs": "a surrogate",
    "Cn": "an unassigned code point",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
MAX_COMBINING_RUN = 4
_SPACES = re.compile(" {2,}")  # after NFKC, every space character that is not a control is U+0020


@functools.lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The Unicode script of one character ('Latin', 'Cyrillic', 'Common', ...); ``None`` for a
    historic or specialised script that names may not use."""
    match = _script_pattern().match(char)
    return match.lastgroup if match else None


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"


def check_name(value: object, field: str, *, required: bool = False, max_length: int = 200) -> str | None:
    """``value`` normalised (NFKC, stripped, single spaces), or ``None`` when empty and not required.

    Raises ``InvalidField(field, ...)`` naming what is wrong and quoting at most a short prefix.
    """
    if value is None:
        if required:
            raise InvalidField(field, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidField(field, f"must be text, not {type(value).__name__}")
    text = _normalised(value, field, max_length)
    if not text:
        if required:
            raise InvalidField(field, "is required" if not value else f"{quote(value)} is blank")
        return None
    if len(text) > max_length:
        raise InvalidField(field, f"{quote(text)} is {len(text)} characters long; the limit is {max_length}")
    if text.isascii():  # printable ASCII is one script (Latin) plus Common
        if not text.isprintable():
            bad = next(c for c in text if not c.isprintable())
            raise InvalidField(field, f"{quote(text)} contains {_describe(bad)}, a control character")
        return text
    _check_characters(text, field)
    _check_scripts(text, field)
    return text


def _normalised(value: str, field: str, max_length: int) -> str:
    """NFKC (ASCII is left as it is), runs of spaces made one, stripped."""
    # NFKC can expand a character up to 18 times, but no legitimate name shrinks by more than a few:
    # refuse absurd inputs before spending time and memory on normalising them.
    if len(value) > 4 * max_length:
        raise InvalidField(field, f"{quote(value)} is too long; the limit is {max_length} characters")
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def _check_characters(text: str, field: str) -> None:
    for char in text:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            raise InvalidField(field, f"{quote(text)} contains {_describe(char)}, {_REFUSED_CATEGORIES[category]}")
    run, previous = 0, ""
    for char in unicodedata.normalize("NFD", text):  # decomposed: a mark hidden in 'á' counts too
        if unicodedata.category(char) == "Mn":
            run += 1
            if run > MAX_COMBINING_RUN or char == previous:
                raise InvalidField(
                    field, f"{quote(text)} stacks combining marks ({_describe(char)}); at most "
                    f"{MAX_COMBINING_RUN} different marks may follow a letter",
                )  # fmt: skip
        else:
            run = 0
        previous = char


def _check_scripts(text: str, field: str) -> None:
    first_of: dict[str, str] = {}  # script -> the first character of that script, for the message
    for char in text:
        script = script_of(char)
        if script is None:
            raise InvalidField(
                field, f"{quote(text)} contains {_describe(char)}, from a historic or specialised script "
                "that names may not use",
            )  # fmt: skip
        if script not in _NEUTRAL:
            first_of.setdefault(script, char)
    scripts = frozenset(first_of)
    if len(scripts) <= 1 or any(scripts <= allowed for allowed in ALLOWED_SCRIPT_MIXES):
        return
    names = sorted(scripts)
    examples = ", ".join(f"{name} {_describe(first_of[name])}" for name in names)
    raise InvalidField(
        field, f"{quote(text)} mixes the {', '.join(names[:-1])} and {names[-1]} scripts ({examples}); "
        "letters from different scripts can look alike, so write the name in one script",
    )  # fmt: skip


def split_model_name(full: str, field: str = "model") -> tuple[str | None, str]:
    """``(org, name)`` of a model named ``org/name``; ``(None, name)`` when there is no '/'.

    The split is at the first '/': the org is what comes before it and the name is the rest, further
    slashes included (``"a/b/c"`` is org ``a``, name ``b/c``). An org never contains '/' (a token
    cannot hold one that does), so this is the one split whose org an owner can hold; the full name
    (``org/name``) is the same text either way. Spaces around each part are dropped. A name that
    starts or ends with '/', or holds '//', raises ``InvalidField(field, ...)``: each '/' needs text
    on both sides.
    """
    if not full.strip():
        raise InvalidField(field, "is required")
    parts = [part.strip() for part in full.split("/")]
    if not all(parts):
        raise InvalidField(field, f"{quote(full)} needs text on both sides of '/'")
    if len(parts) == 1:
        return None, parts[0]
    return parts[0], "/".join(parts[1:])
