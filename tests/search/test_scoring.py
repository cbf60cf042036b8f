"""The scoring function: agreement raises, contradiction lowers but never excludes, rare
values weigh more, missing information is neutral, and every point is explained."""

import datetime as dt
from typing import Any

import pytest

from register.model import from_document
from search.document import SearchDocument, search_document
from search.memory_backend import MemoryBackend
from search.query import DescriptionQuery, MarkQuery, Range
from search.scoring import Score, prepare, score
from search.statistics import compute_statistics
from tests.conftest import minimal_record

AS_OF = dt.date(2026, 1, 1)


def doc(reference: str, **fields: Any) -> SearchDocument:
    return search_document(from_document(minimal_record(reference, **fields)))


@pytest.fixture(scope="module")
def register() -> list[SearchDocument]:
    """A small register: many brown-haired men with rose tattoos, one with a dragon."""
    people = [
        doc(
            f"R{i}",
            sex="M",
            hair_colour="brown",
            height_cm=175 + i % 10,
            dates_of_birth=[f"{1980 + i % 20}-05-01"],
            marks=[{"type": "tattoo", "location": "left forearm", "description": "red rose"}],
        )
        for i in range(40)
    ]
    people.append(
        doc(
            "DRAGON",
            sex="M",
            hair_colour="ginger",
            height_cm=180,
            dates_of_birth=["1990-03-03"],
            marks=[
                {"type": "tattoo", "location": "right side of neck", "description": "green dragon"}
            ],
        )
    )
    people.append(doc("WOMAN", sex="F", hair_colour="brown", dates_of_birth=["1990-01-01"]))
    return people


def run(query: DescriptionQuery, register: list[SearchDocument], reference: str) -> Score:
    stats = compute_statistics(register)
    document = next(d for d in register if d.reference == reference)
    return score(prepare(query, AS_OF), document, stats)


def contribution(result: Score, attribute: str) -> float:
    return sum(e.contribution for e in result.explanation if e.attribute == attribute)


def test_agreement_on_a_rare_value_weighs_more_than_on_a_common_one(
    register: list[SearchDocument],
) -> None:
    ginger = run(DescriptionQuery(hair_colour="ginger"), register, "DRAGON")
    brown = run(DescriptionQuery(hair_colour="brown"), register, "R1")
    assert ginger.score > brown.score > 0
    dragon = run(
        DescriptionQuery(marks=[MarkQuery(type="tattoo", description="dragon")]), register, "DRAGON"
    )
    rose = run(
        DescriptionQuery(marks=[MarkQuery(type="tattoo", description="rose")]), register, "R1"
    )
    assert dragon.score > rose.score > 0


def test_a_contradiction_counts_against_but_only_filters_exclude(
    register: list[SearchDocument],
) -> None:
    wrong_sex = run(DescriptionQuery(sex="F"), register, "R1")
    assert wrong_sex.score < 0
    backend = MemoryBackend(register)
    query = DescriptionQuery(
        sex="F",
        hair_colour="ginger",
        marks=[MarkQuery(type="tattoo", location="neck", description="dragon")],
    )
    ranked = [s.reference for s in backend.search(prepare(query, AS_OF), 3)]
    assert ranked[0] == "DRAGON"  # a male record still wins on the rest of the evidence


def test_missing_information_is_neutral(register: list[SearchDocument]) -> None:
    silent = doc("SILENT")  # no height, no DOB, no hair, no marks recorded
    stats = compute_statistics(register)
    query = DescriptionQuery(
        height_cm=Range(min=170, max=180),
        age=Range(min=30, max=40),
        hair_colour="brown",
        eye_colour="blue",
    )
    result = score(prepare(query, AS_OF), silent, stats)
    assert result.score == 0 and result.explanation == []


def test_witness_error_is_tolerated_by_degrees() -> None:
    # Heights spread as in a real register (a band that holds half the register says
    # little either way, whatever the error model).
    register = [doc(f"H{cm}", sex="M", height_cm=cm) for cm in range(160, 201)]
    near = run(DescriptionQuery(height_cm=Range(min=176, max=180)), register, "H180")
    off = run(DescriptionQuery(height_cm=Range(min=188, max=192)), register, "H180")
    far = run(DescriptionQuery(height_cm=Range(min=200, max=205)), register, "H180")
    assert near.score > off.score > far.score


def test_body_map_and_sides_shape_mark_agreement(register: list[SearchDocument]) -> None:
    def mark_score(location: str) -> float:
        query = DescriptionQuery(
            marks=[MarkQuery(type="tattoo", location=location, description="rose")]
        )
        return contribution(run(query, register, "R1"), "mark")

    assert mark_score("left arm") > mark_score("right arm") > mark_score("neck")


def test_every_contribution_is_explained_and_adds_up(register: list[SearchDocument]) -> None:
    query = DescriptionQuery(
        sex="M",
        hair_colour="ginger",
        age=Range(min=30, max=40),
        marks=[MarkQuery(type="tattoo", location="neck", description="snake")],
    )
    result = run(query, register, "DRAGON")
    assert {e.attribute for e in result.explanation} == {"sex", "hair_colour", "age", "mark"}
    assert result.score == pytest.approx(sum(e.contribution for e in result.explanation), abs=0.01)
    mark = next(e for e in result.explanation if e.attribute == "mark")
    # A dragon where a snake was described is another design: it counts as no such mark,
    # and the explanation says which mark was set against the description.
    assert "green dragon" in mark.found and "right side of neck" in mark.found
    assert "another design" in mark.found and mark.contribution < 0


def test_names_match_aliases_nicknames_and_spellings() -> None:
    register = [
        doc(
            "A",
            names=[
                {"forename": "William", "surname": "Ashworth"},
                {"forename": "Billy", "surname": "Ash", "kind": "nickname"},
            ],
        ),
        doc(
            "B",
            names=[
                {"forename": "Jonathan", "surname": "Smith"},
                {"forename": "Jonno", "surname": "Smith", "kind": "nickname"},
            ],
        ),
        *[doc(f"X{i}", names=[{"forename": "Paul", "surname": f"Other{i}"}]) for i in range(20)],
    ]
    stats = compute_statistics(register)

    def best(heard: str) -> str:
        backend = MemoryBackend(register)
        return backend.search(prepare(DescriptionQuery(name=heard), AS_OF), 1)[0].reference

    assert best("Bill Ashworth") == "A"  # nickname of the primary forename
    assert best("Billy Ash") == "A"  # the recorded nickname itself
    assert best("Ashwerth") == "A"  # misspelt
    assert best("Jonno") == "B"
    assert best("Smithy") == "B"  # street form of the surname
    exact = score(prepare(DescriptionQuery(name="William Ashworth"), AS_OF), register[0], stats)
    assert exact.explanation[0].contribution > 5


def test_filters_are_hard(register: list[SearchDocument]) -> None:
    backend = MemoryBackend(register)
    query = DescriptionQuery(sex="F", filters={"status": "archived"})
    assert backend.search(prepare(query, AS_OF), 10) == []


def test_an_exact_forename_outweighs_a_near_spelling_of_a_rare_name() -> None:
    register = [doc(f"M{i}", names=[{"forename": "Mark", "surname": f"S{i}"}]) for i in range(30)]
    register.append(doc("Z", names=[{"forename": "Zed", "surname": "Markham"}]))
    register += [doc(f"P{i}", names=[{"forename": "Paul", "surname": f"T{i}"}]) for i in range(70)]
    stats = compute_statistics(register)
    heard = prepare(DescriptionQuery(name="Mark"), AS_OF)
    exact = score(heard, register[0], stats).score
    near = score(heard, register[30], stats).score
    assert exact > near


def test_two_word_nicknames_and_surname_first_names_match() -> None:
    register = [
        doc(
            "A",
            names=[
                {"forename": "Lee", "surname": "Grant"},
                {"forename": "Big Man", "surname": "Grant", "kind": "nickname"},
            ],
        ),
        doc("B", names=[{"forename": "David", "surname": "Smith"}]),
        *[doc(f"X{i}", names=[{"forename": "Paul", "surname": f"O{i}"}]) for i in range(10)],
    ]
    backend = MemoryBackend(register)
    assert backend.search(prepare(DescriptionQuery(name="Big Man"), AS_OF), 1)[0].reference == "A"
    assert (
        backend.search(prepare(DescriptionQuery(name="Smith David"), AS_OF), 1)[0].reference == "B"
    )


def test_a_mark_of_no_stated_kind_matches_any_kind(register: list[SearchDocument]) -> None:
    mark = run(
        DescriptionQuery(marks=[MarkQuery(type="mark", location="neck")]), register, "DRAGON"
    )
    assert contribution(mark, "mark") > 0


def test_a_broad_place_weighs_no_more_than_a_precise_one(register: list[SearchDocument]) -> None:
    def weight(location: str) -> float:
        query = DescriptionQuery(marks=[MarkQuery(type="tattoo", location=location)])
        return contribution(run(query, register, "R1"), "mark")

    assert weight("arm") <= weight("left forearm") + 1e-9


def test_a_mark_discriminates_by_design_and_by_place() -> None:
    """The mark example of the independent evaluation: a rosary-beads tattoo on the right
    earlobe is described; a Celtic cross on the back of the head (the same 'religious'
    family, a coarser and different place) and a star on the right earlobe (another design)
    must not score level with the rosary beads."""

    def tattoo(reference: str, location: str, description: str) -> SearchDocument:
        mark = {"type": "tattoo", "location": location, "description": description}
        return doc(reference, sex="M", marks=[mark])

    register = [
        tattoo("ROSARY", "right earlobe", "rosary beads"),
        tattoo("CROSS", "back of head", "Celtic cross"),
        tattoo("STAR", "right earlobe", "star"),
        *(tattoo(f"ROSE{i}", "left forearm", "rose") for i in range(30)),
    ]
    query = DescriptionQuery(
        marks=[MarkQuery(type="tattoo", location="right earlobe", description="rosary beads")]
    )
    ranked = MemoryBackend(register).search(prepare(query, AS_OF), 5)
    scores = {s.reference: s.score for s in ranked}
    assert ranked[0].reference == "ROSARY"
    assert scores["ROSARY"] > scores.get("CROSS", -99) + 1.0
    star = run(query, register, "STAR")
    assert contribution(star, "mark") < 0 and "another design" in star.explanation[0].found


def test_the_same_mark_said_twice_counts_once(register: list[SearchDocument]) -> None:
    once = DescriptionQuery(marks=[MarkQuery(type="tattoo", location="neck", description="dragon")])
    twice = DescriptionQuery(marks=once.marks * 2)
    assert run(twice, register, "DRAGON").score == run(once, register, "DRAGON").score


def test_an_incident_before_a_nominal_was_born_counts_against_and_says_so() -> None:
    people = [doc(f"OLD{i}", dates_of_birth=[f"{1948 + i}-01-01"]) for i in range(5)]
    people.append(doc("YOUNG", dates_of_birth=["1990-01-01"]))
    # An incident of 1980 by a man "about 30": the one born in 1990 cannot be him.
    query = DescriptionQuery(age=Range(min=28, max=32), as_of=dt.date(1980, 6, 1))
    result = run(query, people, "YOUNG")
    [age] = [e for e in result.explanation if e.attribute == "age"]
    assert age.found == "not born then"
    assert age.contribution < 0 < contribution(run(query, people, "OLD2"), "age")


def _lived(reference: str, town: str, postcode: str | None = None) -> SearchDocument:
    address = {"text": "1 High Street", "town": town}
    if postcode:
        address["postcode"] = postcode
    return doc(reference, addresses=[address])


@pytest.fixture(scope="module")
def places() -> list[SearchDocument]:
    """Leeds in three districts, Bradford beside it, Sheffield within reach, Plymouth far
    off, Glasgow for filler."""
    people = [_lived(f"LS6-{i}", "Leeds", "LS6 1AB") for i in range(3)]
    people += [_lived(f"LS9-{i}", "Leeds", "LS9 2CD") for i in range(3)]
    people += [_lived(f"LS11-{i}", "Leeds", "LS11 3EF") for i in range(3)]
    people += [_lived(f"BD-{i}", "Bradford", "BD3 4GH") for i in range(3)]
    people += [_lived(f"S-{i}", "Sheffield", "S2 1AA") for i in range(3)]
    people += [_lived(f"PL-{i}", "Plymouth", "PL1 5JK") for i in range(3)]
    people += [_lived(f"G-{i}", "Glasgow", "G31 6LM") for i in range(15)]
    return people


def test_a_district_said_favours_its_own_then_its_town_then_towns_beside_and_within_reach(
    places: list[SearchDocument],
) -> None:
    asked = DescriptionQuery(area="LS6")
    home, town, beside, reach, far = (
        run(asked, places, ref).score for ref in ("LS6-0", "LS9-0", "BD-0", "S-0", "PL-0")
    )
    assert home > town > beside > reach > far == 0


def test_a_town_said_favours_who_lived_there_and_then_beside_it_and_within_reach(
    places: list[SearchDocument],
) -> None:
    asked = DescriptionQuery(area="Leeds")
    six, nine, beside, reach, far = (
        run(asked, places, ref).score for ref in ("LS6-0", "LS9-0", "BD-0", "S-0", "PL-0")
    )
    assert six == nine > beside > reach > far == 0
    [area] = [e for e in run(asked, places, "S-0").explanation if e.attribute == "area"]
    assert area.found == "has lived in a town within reach of it"


def test_a_town_no_nominal_lived_in_still_favours_the_towns_around_it(
    places: list[SearchDocument],
) -> None:
    # Wakefield is in no address, but lies beside Leeds and Bradford.
    asked = DescriptionQuery(area="Wakefield")
    leeds, bradford, far = (run(asked, places, ref).score for ref in ("LS6-0", "BD-0", "PL-0"))
    assert leeds > 0 and bradford > 0 and far == 0


def test_an_adjoining_regions_accent_earns_more_than_a_distant_one() -> None:
    people = [
        doc("NE", accent="Mackem"),
        doc("LDN", accent="Cockney"),
        doc("GEO", accent="Geordie"),
    ]
    people += [doc(f"F{i}", accent=a) for i, a in enumerate(["Scouse", "Welsh", "Brummie"] * 5)]
    asked = DescriptionQuery(accent="Geordie")
    same, adjoining, distant = (run(asked, people, ref).score for ref in ("GEO", "NE", "LDN"))
    assert same > adjoining > distant


def test_another_form_of_a_forename_heard_alone_is_a_name_alike() -> None:
    """'Mark' heard is Marcus's name only alike: the nickname lists join names many people
    bear separately, so the form earns what a near spelling earns, the name itself more."""
    from search.document import NameDocument
    from search.names import name_level

    marcus = NameDocument("marcus", "", "hayes", "primary")
    assert name_level(["marcus"], marcus) == "forename"
    assert name_level(["mark"], marcus) == "alike"
    assert name_level(["mark", "hayes"], marcus) == "full"
