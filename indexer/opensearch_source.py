"""Register nominal -> the OpenSearch document indexed for it.

Every field the query builder searches is derived here from the same `SearchDocument` the
memory backend scores, so the two backends read one normalisation. Keys the engine would
otherwise need plugins for (Metaphone sounds, photo-hash chunks) are computed in Python. The
whole search document rides along, unindexed, so that candidates are scored by `score()`
without a trip to the register.
"""

from typing import Any

from imaging.hashes import to_signed
from register.indexing import IndexableNominal
from register.photos import PhotoHashRow
from search.body_map import body_map
from search.document import SearchDocument, document_to_json, search_document
from search.names import sound_key
from search.photo_index import chunk_terms
from search.photo_search import MIN_CONTRAST


def _photo(photo: PhotoHashRow) -> dict[str, Any]:
    return {
        "sha256": photo.sha256,
        "kind": photo.kind,
        "phash": to_signed(photo.phash),
        "dhash": to_signed(photo.dhash),
        "phash_mirror": to_signed(photo.phash_mirror),
        "dhash_mirror": to_signed(photo.dhash_mirror),
        "chunks": sorted(
            set(chunk_terms(photo.phash, photo.dhash))
            | set(chunk_terms(photo.phash_mirror, photo.dhash_mirror))
        ),
    }


def _names(document: SearchDocument) -> list[dict[str, Any]]:
    names = []
    for name in document.names:
        surname_words = name.surname.split()
        first = name.forename.split()[0] if name.forename else ""
        names.append(
            {
                "kind": name.kind,
                "forename": name.forename or None,
                "forename_first": first or None,
                "forename_sound": sound_key(first) or None,
                "middle_names": name.middle_names or None,
                "surname": name.surname,
                "surname_words": surname_words,
                "surname_sound": [sound_key(word) for word in surname_words],
            }
        )
    return names


def index_source(
    nominal: IndexableNominal, document: SearchDocument | None = None
) -> dict[str, Any]:
    """The indexed form of a nominal; pass its search document if it is already made."""
    record = nominal.record
    document = document or search_document(record)
    marks = []
    for mark, recorded in zip(document.marks, record.marks, strict=True):
        region = mark.location.region
        marks.append(
            {
                "type": mark.type,
                "region": region,
                "region_path": body_map().ancestors(region) if region else [],
                "side": mark.location.side,
                "motifs": sorted(mark.motifs),
                "has_motifs": bool(mark.motifs),
                "words": sorted(set(mark.description.split())),
                "tattoo_class": recorded.tattoo_class,
                "description": recorded.description,
            }
        )
    return {
        "reference": document.reference,
        "version": nominal.version,
        "status": document.status,
        "sex": document.sex,
        "ethnic_appearance": document.ethnic_appearance,
        "build": document.build,
        "hair_colour": document.hair_colour,
        "hair_length": document.hair_length,
        "facial_hair": document.facial_hair,
        "eye_colour": document.eye_colour,
        "accent": document.accent,
        "dates_of_birth": [d.isoformat() for d in document.dates_of_birth],
        "first_birth_day": document.dates_of_birth[0].toordinal()
        if document.dates_of_birth
        else None,
        "height_cm": document.height_cm,
        "names": _names(document),
        "surnames": sorted({n.surname for n in document.names}),
        "forenames": sorted({n.forename for n in document.names if n.forename}),
        "marks": marks,
        "mark_types": sorted({m.type for m in document.marks}),
        "motifs": sorted({motif for m in document.marks for motif in m.motifs}),
        "modus_operandi": " ".join(mo.text for mo in record.modus_operandi) or None,
        "mo_terms": sorted(document.mo_counts),
        "behavioural_traits": " ".join(record.behavioural_traits) or None,
        "towns": sorted(document.towns),
        "postcode_districts": sorted(document.postcode_districts),
        "mappa_category": document.mappa_category,
        "mappa_level": document.mappa_level,
        "managing_agency": document.managing_agency,
        "wanted_missing": document.wanted_missing,
        # A blank or uniform picture matches every other blank one; it is not indexed (as
        # in the memory photo index).
        "photos": [_photo(p) for p in nominal.photos if p.contrast >= MIN_CONTRAST],
        "search_document": document_to_json(document),
    }
