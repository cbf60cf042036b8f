"""Free text -> description query: what a witness said, read into the query's parts.

Rule-based on purpose: every reading is shown to the user in plain words with the words it
came from, what was recognised but is no evidence about the person (clothing, vehicles) is
set aside and said to be, and what nothing read is listed as not understood, so that the
user can correct it. Parts given alongside the text win over parsed ones (`merge_parsed`).

One module per part; the order below matters only where one reading needs another (a
height word depends on the sex, a weight is a build hint only where no build is stated).
"""

from collections.abc import Iterable

from search.parse.accents import read_accent
from search.parse.actions import read_modus_operandi
from search.parse.ages import read_age
from search.parse.areas import gazetteer, read_area
from search.parse.build import read_build
from search.parse.ethnicity import read_ethnicity
from search.parse.faces import read_eyes, read_facial_hair
from search.parse.hair import read_hair
from search.parse.heights import read_height, read_weight_as_build
from search.parse.leftovers import leftovers
from search.parse.marks import read_marks
from search.parse.names import read_name
from search.parse.not_evidence import set_aside_what_is_not_evidence
from search.parse.people import read_sex
from search.parse.text import Reading, read_text
from search.query import DescriptionQuery

__all__ = ["Reading", "gazetteer", "merge_parsed", "parse_text"]


def parse_text(
    text: str, places: frozenset[str] = frozenset(), names: frozenset[str] = frozenset()
) -> Reading:
    """Read a free description into query parts. `places` is the register's gazetteer
    (`gazetteer(towns)`): the towns an area can be matched to; `names` the register's
    surnames and forenames (`gazetteer(names)`), which a name said without a cue may be."""
    reading = Reading(read_text(text))
    set_aside_what_is_not_evidence(reading)
    read_name(reading, places, names)
    read_area(reading, places)
    read_marks(reading)
    read_facial_hair(reading)
    read_sex(reading)
    read_height(reading)
    read_ethnicity(reading)
    read_hair(reading)
    read_eyes(reading)
    read_build(reading)
    read_weight_as_build(reading)
    read_accent(reading)
    read_age(reading)  # after the body's other readings, which say where its description is
    read_modus_operandi(reading)
    reading.not_understood = leftovers(reading)
    return reading


def merge_parsed(
    query: DescriptionQuery, towns: Iterable[str] = (), names: frozenset[str] = frozenset()
) -> tuple[DescriptionQuery, Reading | None]:
    """The query with its text parsed in; parts given explicitly win over parsed ones.
    `names` are the register's names, normalised (`RegisterStatistics.names`)."""
    if not query.text:
        return query, None
    reading = parse_text(query.text, gazetteer(towns), names)
    given = {k for k in query.model_fields_set if getattr(query, k) not in (None, [])}
    update = {k: v for k, v in reading.parts.items() if k not in given}
    return query.model_copy(update=update), reading
