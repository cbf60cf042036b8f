"""The nominal index's settings and mappings, read from `mappings/nominals.json`."""

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from search.vocabulary import motif_synonyms


@cache
def _mapping_file() -> dict[str, Any]:
    text = resources.files("mappings").joinpath("nominals.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def mapping_version() -> int:
    return int(_mapping_file()["mapping_version"])


def index_body() -> dict[str, Any]:
    """Settings and mappings for a new nominal index, with the mark-description synonyms
    filled in from the motif vocabulary (one list of words, used by both backends)."""
    source = _mapping_file()
    body = {
        "settings": copy.deepcopy(source["settings"]),
        "mappings": copy.deepcopy(source["mappings"]),
    }
    body["mappings"]["_meta"] = {"mapping_version": source["mapping_version"]}
    synonyms = body["settings"]["analysis"]["filter"]["mark_synonyms"]
    synonyms["synonyms"] = [", ".join(group) for group in motif_synonyms()]
    return body
