"""Command output: one JSON object per line with --json, readable text otherwise, every
piece of it escaped by `foundation.escapes`. A closed output (`visor search ... | head`) raises
`OutputClosed`, which the CLI turns into a quiet stop.
"""

import argparse
from typing import Any

from foundation.escapes import json_text, printable


class OutputClosed(Exception):
    """Whoever read our output has stopped reading (a closed pipe)."""


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    # Flushed at once: `visor index sync --follow` runs for days behind a pipe.
    try:
        print(json_text(data) if args.json else printable(text, keep_newlines=True), flush=True)
    except BrokenPipeError as error:
        raise OutputClosed() from error
