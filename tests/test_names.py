"""Names: NFKC normalisation, refused characters, mixed-script look-alikes (podium.names) and slugs."""

import unicodedata

import pytest
import regex

from podium.errors import InvalidField
from podium.names import ALLOWED_SCRIPT_MIXES, check_name, script_of, split_model_name
from podium.slugs import check_slug, slugify


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("acme/tfidf-logreg", "acme/tfidf-logreg"),
        ("  padded  ", "padded"),
        ("ＡＣＭＥ ｍｏｄｅｌ", "ACME model"),  # full-width forms
        ("ﬁnbert", "finbert"),  # the 'fi' ligature
        ("two\u00a0\u00a0spaces", "two spaces"),  # no-break spaces, and a run collapsed
        ("Café-BERT", "Café-BERT"),
        ("e\u0301cole", "école"),  # composed
        ("Модель 2", "Модель 2"),
        ("Ελληνικό μοντέλο", "Ελληνικό μοντέλο"),
        ("東京モデル v2", "東京モデル v2"),  # Latin + Han + Katakana
        ("한국어 BERT 模型", "한국어 BERT 模型"),  # Latin + Han + Hangul
        ("ㄅㄆ 中文 model", "ㄅㄆ 中文 model"),  # Latin + Han + Bopomofo
        ("نموذج-١", "نموذج-١"),
        ("हिन्दी मॉडल", "हिन्दी मॉडल"),  # Devanagari with its combining signs (Inherited/Mn)
    ],
)
def test_good_names_come_back_normalised(value, expected):
    assert check_name(value, "model") == expected
    assert check_name(expected, "model") == expected  # idempotent


def test_empty_and_missing_names():
    assert check_name(None, "org") is None
    assert check_name("   ", "org") is None
    with pytest.raises(InvalidField, match="model: is required"):
        check_name(None, "model", required=True)
    with pytest.raises(InvalidField, match="blank"):
        check_name(" \u3000 ", "model", required=True)
    with pytest.raises(InvalidField, match="must be text"):
        check_name(42, "model")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("acme\x00", "control character"),
        ("ac\tme", "control character"),
        ("ac\nme", "control character"),
        ("ac\u200bme", "invisible format character"),  # zero-width space
        ("ac\u200dme", "invisible format character"),  # zero-width joiner: invisible, no reason to keep
        ("ac\u200cme", "invisible format character"),  # zero-width non-joiner
        ("acme\u202egnp.exe", "invisible format character"),  # right-to-left override
        ("ac\ufeffme", "invisible format character"),
        ("acme\u2028x", "line separator"),
        ("acme\ue000", "private-use"),
        ("acme\U000e0041", "invisible format character"),  # a tag character
        ("a\u0301\u0301", "stacks combining marks"),  # the same mark twice
        ("a\u0300\u0301\u0302\u0303\u0304", "stacks combining marks"),  # five marks
        ("\U00010330\U00010331", "historic or specialised script"),  # Gothic
    ],
)
def test_invisible_stacked_and_historic_characters_are_refused(value, fragment):
    with pytest.raises(InvalidField, match=fragment) as caught:
        check_name(value, "model")
    assert str(caught.value).startswith("model: ")


@pytest.mark.parametrize(
    ("value", "scripts"),
    [
        ("\u0430cme", ("Cyrillic", "Latin")),  # Cyrillic а
        ("acm\u0435/bert", ("Cyrillic", "Latin")),  # Cyrillic е
        ("n\u03bfrthwind", ("Greek", "Latin")),  # Greek ο
        ("p\u0430yp\u0430l", ("Cyrillic", "Latin")),
        ("\u0391\u0392\u0421", ("Cyrillic", "Greek")),  # Greek Α, Β with Cyrillic С
        ("\u13aacme", ("Cherokee", "Latin")),  # Cherokee Ꭺ
        ("モデル한국", ("Hangul", "Katakana")),  # not one of the allowed mixes
    ],
)
def test_mixed_script_look_alikes_are_refused_and_the_message_names_the_scripts(value, scripts):
    with pytest.raises(InvalidField) as caught:
        check_name(value, "model")
    message = str(caught.value)
    assert message.startswith("model: ") and "mixes the" in message
    assert all(name in message for name in scripts)
    assert "U+" in message  # the character is shown by its code point too: it looks like a Latin one


def test_error_messages_quote_a_short_prefix_only():
    hostile = "\u0430" + "x" * 5000
    with pytest.raises(InvalidField) as caught:
        check_name(hostile, "model", max_length=10_000)
    assert len(str(caught.value)) < 400
    with pytest.raises(InvalidField, match="is too long") as caught:
        check_name("y" * 1_000_000, "model")
    assert len(str(caught.value)) < 200
    with pytest.raises(InvalidField, match="201 characters long; the limit is 200"):
        check_name("z" * 201, "model")
    assert check_name("z" * 200, "model") == "z" * 200


def test_allowed_mixes_follow_ts39_highly_restrictive():
    assert frozenset({"Latin", "Han", "Hiragana", "Katakana"}) in ALLOWED_SCRIPT_MIXES
    assert check_name("ひらがなカタカナ漢字abc", "model")
    with pytest.raises(InvalidField, match="Bopomofo"):
        check_name("ㄅ한", "model")  # Bopomofo and Hangul are in different allowed sets


def test_script_lookup_agrees_with_regex_for_every_assigned_character_of_a_few_blocks():
    for start, end in ((0x0000, 0x0800), (0x3000, 0x3100), (0xAC00, 0xAC40), (0x4E00, 0x4E40)):
        for code in range(start, end):
            char = chr(code)
            if unicodedata.category(char) == "Cn":
                continue
            script = script_of(char)
            if script is not None:
                assert regex.match(rf"\p{{Script={script}}}", char), (hex(code), script)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Org/My Model v2!", "org-my-model-v2"),
        ("Café", "cafe"),
        ("ＡＣＭＥ", "acme"),
        ("a..b", "a.b"),
        ("Financial Phrasebank - Classification Accuracy", "financial-phrasebank-classification-accuracy"),
    ],
)
def test_slugs_of_names_with_ascii_letters_are_unchanged(value, expected):
    assert slugify(value) == expected


def test_names_without_ascii_letters_get_a_stable_distinct_id():
    ids = {name: slugify(name) for name in ["Модель", "Другая", "模型", "!!!", "???", "ß", "Модель 2", "Другая 2"]}
    assert len(set(ids.values())) == len(ids)  # distinct; before, every one of these was 'item'
    assert all(check_slug(slug) == slug for slug in ids.values())
    assert ids["Модель"].startswith("u-") and ids["Модель 2"].startswith("2-")
    assert slugify("Модель") == ids["Модель"]  # stable: a pure function of the NFKC name
    assert slugify("Модель") == slugify(" Модель ")  # stripped like the name itself
    long = slugify("Ж" * 300 + "x" * 300)
    assert len(long) <= 100 and check_slug(long) == long


def test_an_explicit_fallback_still_wins_for_a_name_that_leaves_nothing():
    assert slugify("Модель", fallback="model") == "model"
    assert slugify("!!!", fallback="model") == "model"
    assert slugify("Модель 2", fallback="model").startswith("2-")  # something left: slug plus hash
    assert slugify("acme", fallback="model") == "acme"


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("tfidf-logreg", (None, "tfidf-logreg")),  # no slash: no org
        ("acme/tfidf-logreg", ("acme", "tfidf-logreg")),
        ("acme/family/variant", ("acme", "family/variant")),  # several: the org is before the first '/'
        (" acme / tfidf ", ("acme", "tfidf")),  # spaces around each part dropped
        ("a / b / c", ("a", "b/c")),
    ],
)
def test_split_model_name_splits_at_the_first_slash(full, expected):
    assert split_model_name(full) == expected
    org, name = expected
    assert split_model_name(f"{org}/{name}" if org else name) == expected  # the full name splits back alike


@pytest.mark.parametrize("full", ["/acme", "acme/", "a//b", "/", " / x", "a/b/"])
def test_split_model_name_refuses_a_slash_without_text_on_both_sides(full):
    with pytest.raises(InvalidField, match="needs text on both sides of '/'") as caught:
        split_model_name(full, "model name")
    assert caught.value.field == "model name"


def test_split_model_name_refuses_an_empty_name():
    with pytest.raises(InvalidField, match="model: is required"):
        split_model_name("  ")
