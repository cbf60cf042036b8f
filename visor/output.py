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


def add_action_json_flag(
    parser: argparse.ArgumentParser, help_text: str = "machine-readable output"
) -> None:
    """`--json` on an action of a command that takes it too (`visor index status --json`).
    Suppressed as a default, so that the command's own flag survives the action's parser:
    with a default of False, `visor index --json status` printed text."""
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=help_text)
