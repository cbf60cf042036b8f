"""Image formats we accept, recognised by content (magic bytes), never by file name."""

ALLOWED_MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp")

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes of a file announce, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
