"""Connecting to OpenSearch, and the names of visor's indices under a deployment's prefix."""

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from opensearchpy import OpenSearch


def on_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(url: str, ca_certs: Path | None = None, timeout: float = 30.0) -> OpenSearch:
    """A client for one cluster URL (credentials may ride in it: https://user:pw@host:9200).

    Retries are ours to decide (the bulk writer backs off; a search fails fast and says so),
    so the client does not retry on its own. Requests are compressed unless the cluster is
    on this machine, where gzip is only CPU spent on both sides (a two-stage search took
    a quarter less time without it, 100,000 nominals, 2026-12-02)."""
    return OpenSearch(
        hosts=[url],
        http_compress=not on_loopback(url),
        verify_certs=url.startswith("https"),
        ca_certs=str(ca_certs) if ca_certs else None,
        ssl_show_warn=False,
        timeout=timeout,
        max_retries=0,
        retry_on_timeout=False,
    )


@dataclass(frozen=True)
class IndexNames:
    prefix: str

    @property
    def alias(self) -> str:
        """What searches read: always points at one complete index."""
        return f"{self.prefix}-nominals"

    @property
    def state(self) -> str:
        """Small index of sync positions, one document per nominal index."""
        return f"{self.prefix}-sync-state"

    def new_index(self, mapping_version: int, now: dt.datetime | None = None) -> str:
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-v{mapping_version}-{stamp}"
