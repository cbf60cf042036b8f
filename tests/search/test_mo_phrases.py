"""Witness phrases for what was done share evidence with the register's MO words
(`vocabularies/mo_phrases.json`), and leave the register's own MO texts as they were."""

import itertools
import json
import re
from importlib import resources

import pytest

from search.vocabulary import MO_STOPWORDS, base_form, mo_tokens, stem


def _said(text: str) -> list[str]:
    """The stems of the text's own words that carry meaning, as mo_tokens keeps them."""
    words = re.findall(r"[a-z][a-z']+", text.lower())
    return [stem(base_form(w)) for w in words if w not in MO_STOPWORDS and len(w) > 2]


@pytest.mark.parametrize(
    ("witness", "register"),
    [
        ("he flashed at two women on the towpath", "exposes himself"),
        ("kept chatting her up online for weeks", "grooms"),
        ("gave her a ride home in his van", "offers a lift"),
        ("made out he was from the water board", "poses as"),
        ("hangs round the shops handing out fags and weed", "loiters cigarettes cannabis"),
        ("went for the bouncers after he got knocked back", "assaulted door staff refused"),
        ("was filming up women's skirts on the escalator", "photographs"),
        ("said he'd walk her home because she was hammered", "offers to walk home intoxicated"),
    ],
)
def test_a_witness_phrase_carries_the_register_words(witness: str, register: str) -> None:
    said = set(mo_tokens(witness))
    assert set(mo_tokens(register)) <= said


def test_words_outside_any_phrase_add_nothing() -> None:
    text = "waited at the bus stop reading a newspaper"
    assert sorted(mo_tokens(text)) == sorted(
        stem(w) for w in ["waited", "bus", "stop", "reading", "newspaper"]
    )


def test_each_added_word_is_added_once() -> None:
    tokens = mo_tokens("pretended to be from the council, said he was from the council")
    assert tokens.count(stem("poses")) == 1


def test_the_registers_own_mo_texts_are_unchanged() -> None:
    """No phrase of the table is a wording the synthetic register uses, so an index built
    before the table holds the same MO words as one built after."""
    data = json.loads(resources.files("visor").joinpath("data/synthetic.json").read_text("utf-8"))
    slots = data["mo_slots"]
    changed = []
    for template in data["mo_templates"]:
        keys = [k for k in slots if "{" + k + "}" in template]
        for values in itertools.product(*(slots[k] for k in keys)):
            text = " ".join(template.format(**dict(zip(keys, values, strict=True))).split())
            if mo_tokens(text) != _said(text):
                changed.append(text)
    assert not changed, changed[:3]


def test_irregular_plurals_and_past_tenses_share_their_base_form() -> None:
    """'an elderly woman' and 'elderly women', 'knew' and 'know' are one word
    (vocabularies/word_forms.json), on the query and the record alike."""
    assert set(mo_tokens("approached an elderly woman")) >= set(mo_tokens("elderly women"))
    assert stem("know") in mo_tokens("said he knew her")
