"""Command output: one JSON object per line with --json, readable text otherwise."""

import argparse
import json
from typing import Any


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    # Flushed at once: `visor index sync --follow` runs for days behind a pipe.
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text, flush=True)
