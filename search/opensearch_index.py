"""Finding the live nominal index: the index behind the alias and how far it has synced.
The indexer writes both (`indexer.lifecycle`); the search side only reads them."""

from opensearchpy import NotFoundError, OpenSearch

from foundation.errors import SearchUnavailable
from search.opensearch_connection import IndexNames


class IndexNotBuilt(SearchUnavailable):
    """No nominal index behind the alias yet: searches cannot be answered until one is built."""


def current_index(client: OpenSearch, names: IndexNames) -> str:
    """The index the alias points at."""
    try:
        found = client.indices.get_alias(name=names.alias)
    except NotFoundError as error:
        raise IndexNotBuilt(
            f"no search index yet under {names.alias!r}: run `visor index rebuild`"
        ) from error
    indices = sorted(found)
    if len(indices) != 1:
        raise IndexNotBuilt(f"alias {names.alias!r} points at {len(indices)} indices: {indices}")
    return str(indices[0])


def read_position(client: OpenSearch, names: IndexNames, index: str) -> int:
    try:
        found = client.get(index=names.state, id=index)
    except NotFoundError:
        return 0
    return int(found["_source"]["outbox_position"])
