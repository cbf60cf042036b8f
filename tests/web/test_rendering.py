"""The pieces the pages draw, on their own: the body outline covers the body map's every
region and puts a side where it belongs; the search form's queries; why one is lower."""

from api.web.body_outline import MIDLINE, Placed, locate, outline_svg, undrawn_regions
from api.web.search_form import SearchForm, query_document, read_form
from search.gaps import as_high_words, score_words, why_lower
from search.scoring import Evidence, Score


def test_every_region_of_the_body_map_is_drawn() -> None:
    assert undrawn_regions() == []


def _cx(svg: str) -> list[float]:
    import re

    return [float(x) for x in re.findall(r'class="mark matched" cx="([\d.]+)"', svg)]


def test_a_left_forearm_is_on_the_viewers_right_from_the_front_and_left_from_the_back() -> None:
    svg = outline_svg([Placed(locate("inner left forearm"), "matched", "tattoo")], "a mark")
    front, back = _cx(svg)
    assert front > MIDLINE
    assert back - 130 < MIDLINE  # the back figure is drawn 130 units to the right
    assert "<title>tattoo</title>" in svg


def test_a_mark_with_no_side_is_drawn_on_both_and_an_unknown_place_not_at_all() -> None:
    assert len(_cx(outline_svg([Placed(locate("forearm"), "matched", "")], ""))) == 4
    assert _cx(outline_svg([Placed(locate("somewhere odd"), "matched", "")], "")) == []


def test_a_corrected_reading_is_sent_as_its_fields_alone() -> None:
    form = read_form(
        {
            "mode": "fields",
            "text": "tall man",
            "build": "slim",
            "age_min": "30",
            "mark0_type": "tattoo",
        },
        {"mappa_category": ["2"], "mappa_level": ["3", "1"]},
    )
    document = query_document(form)
    assert "text" not in document
    assert document["build"] == "slim" and document["age"] == {"min": 30}
    assert document["marks"] == [{"type": "tattoo"}]
    assert document["filters"] == {"status": "live", "mappa_category": [2], "mappa_level": [3, 1]}
    assert query_document(SearchForm(text="tall man"))["text"] == "tall man"


def test_why_lower_names_the_evidence_the_top_candidate_earned_more_of() -> None:
    top = Score(
        "A", 9.0, [Evidence("sex", "M", "M", 1.0), Evidence("mark", "x", "tattoo on arm", 8.0)]
    )
    lower = Score(
        "B", 1.5, [Evidence("sex", "M", "M", 1.0), Evidence("mark", "x", "none", 0.5)], as_high=3
    )
    gaps = why_lower(top, lower)
    assert [(g.attribute, g.shortfall) for g in gaps] == [("mark", 7.5)]
    assert as_high_words(lower) == "3 nominals score as high or higher"


def test_a_score_is_read_out_as_how_much_likelier_the_description_is() -> None:
    assert (
        score_words(10.0) == "the description is about 1,024 times likelier if this is the person"
    )
    assert score_words(-1.0).endswith("2.0 times less likely if this is the person")
    assert score_words(0.0) == "no evidence either way"
