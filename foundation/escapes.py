"""Text from users is stored as given and shown escaped: this is the one place that says
how, for every printer (the CLI's output and messages, the API's answers, the reject file).

No control character (a terminal escape sequence among them), bidirectional override, line
separator or lone surrogate is shown raw: `printable` turns each into a visible escape for
text (`\\x1b`, `\\u202e`), `json_text` into a JSON `\\u` escape, which keeps the value.
"""

import json
import re
from typing import Any

# C0 controls; then DEL and C1 controls, the bidirectional controls that reorder what a
# reader sees (Trojan Source), line and paragraph separators, and lone surrogates, which
# UTF-8 cannot carry.
_C0 = "\x00-\x1f"
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE_TEXT = re.compile(f"[{_C0}{_OTHERS}]")
# json.dumps escapes C0 controls inside strings itself: a raw one left is layout (indent).
_UNSAFE_IN_JSON = re.compile(f"[{_OTHERS}]")
_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(character: str) -> str:
    code = ord(character)
    return _SHORT.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` with every unsafe character shown as an escape (`\\x1b`, `\\u202e`)."""
    if keep_newlines:
        return _UNSAFE_TEXT.sub(lambda m: m[0] if m[0] == "\n" else _escape(m[0]), text)
    return _UNSAFE_TEXT.sub(lambda m: _escape(m[0]), text)


def json_text(data: Any, indent: int | None = None) -> str:
    """`data` as JSON with every unsafe character as a `\\u` escape: the same value, safe."""
    text = json.dumps(data, ensure_ascii=False, default=str, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
