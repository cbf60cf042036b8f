"""`visor index rebuild|sync|status|reconcile`: the OpenSearch index's life from the CLI."""

import argparse
import dataclasses
import sys
import time

from opensearchpy.exceptions import TransportError
from sqlalchemy.exc import InterfaceError, OperationalError
from tqdm import tqdm

from foundation.errors import InvalidInput, VisorError
from foundation.escapes import printable
from indexer.sync import SyncResult, rebuild, reconcile, status, sync
from search.opensearch_backend import unavailable
from visor.output import add_action_json_flag, emit
from visor.search_engines import SearchEngines
from visor.services import Services

EXIT_OK, EXIT_DRIFT = 0, 1


def add_index_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        add_action_json_flag(sub)
        return sub

    action("rebuild", "build a new index from the register and swap the alias to it")
    sub = action("sync", "apply the register's outbox to the index")
    sub.add_argument("--follow", action="store_true", help="keep syncing until interrupted")
    sub.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    sub.add_argument("--batch-size", type=int, default=500, help="outbox events per bulk")
    action("status", "the index, its position in the outbox and what is pending")
    sub = action("reconcile", "compare (reference, version) with the register; repair drift")
    sub.add_argument("--dry-run", action="store_true", help="report drift, change nothing")


def run_index(args: argparse.Namespace, services: Services) -> int:
    try:
        return _run(args, services)
    except TransportError as error:
        raise unavailable(error) from error


def _follow(args: argparse.Namespace, engines: SearchEngines, services: Services) -> int:
    """Sync until interrupted, riding out a cluster that is down or not yet built: the
    outbox keeps every change meanwhile, so nothing is lost by waiting."""
    templates_applied = False
    while True:
        try:
            if not templates_applied:
                engines.apply_templates()
                templates_applied = True
            result = sync(engines.client, services.engine, engines.names, args.batch_size)
            if result.events:
                emit(args, dataclasses.asdict(result), _sync_text(result))
        except (VisorError, TransportError, OperationalError, InterfaceError) as error:
            # The cluster down, the index not yet built, the register unreachable: all wait.
            message = printable(f"visor index sync: {error}; trying again")
            print(message, file=sys.stderr, flush=True)
        time.sleep(args.interval)


def _sync_text(result: SyncResult) -> str:
    text = (
        f"applied {result.events} outbox events to {result.index}: {result.written} written, "
        f"{result.already_current} already current, {result.deleted} deleted; "
        f"position {result.outbox_position}"
    )
    if result.waiting_at_gap:
        text += " (waiting for an earlier transaction to commit)"
    return text


def _run(args: argparse.Namespace, services: Services) -> int:
    engines = SearchEngines(services)
    if not engines.uses_opensearch:
        raise InvalidInput(
            "visor index needs VISOR_OPENSEARCH_URL (the embedded backend has no index)"
        )
    if args.action == "sync":
        if args.batch_size < 1:
            raise InvalidInput("--batch-size must be at least 1")
        if args.follow:
            return _follow(args, engines, services)
    engines.apply_templates()
    client, names, engine = engines.client, engines.names, services.engine
    if args.action == "rebuild":
        show_bar = sys.stderr.isatty() and not args.json
        with tqdm(unit=" nominals", disable=not show_bar, file=sys.stderr) as bar:

            def total(count: int) -> None:
                bar.total = count
                bar.refresh()

            built = rebuild(client, engine, names, on_progress=bar.update, on_total=total)
        emit(
            args,
            dataclasses.asdict(built),
            f"built {built.index} with {built.nominals} nominals (outbox position "
            f"{built.outbox_position}); alias {names.alias} now points at it",
        )
        return EXIT_OK
    if args.action == "sync":
        result = sync(client, engine, names, batch_size=args.batch_size)
        emit(args, dataclasses.asdict(result), _sync_text(result))
        return EXIT_OK
    if args.action == "status":
        report = status(client, engine, names)
        stale = report.mapping_version != report.current_mapping_version
        emit(
            args,
            dataclasses.asdict(report),
            "\n".join(
                [
                    f"alias {report.alias} -> {report.index}",
                    f"documents {report.documents}, nominals in the register "
                    f"{report.nominals_in_register}",
                    f"outbox position {report.index_position} of {report.register_position}; "
                    f"{report.pending_events} events pending",
                    f"mapping version {report.mapping_version}"
                    + (
                        f" (this release has {report.current_mapping_version}: run "
                        "`visor index rebuild`)"
                        if stale
                        else ""
                    ),
                ]
            ),
        )
        return EXIT_OK
    drift = reconcile(client, engine, names, repair=not args.dry_run)
    data = dataclasses.asdict(drift) | {"total": drift.total}
    verb = "repaired" if drift.repaired else "found (dry run, nothing changed)"
    emit(
        args,
        data,
        f"drift {verb}: {len(drift.missing)} missing, {len(drift.stale)} stale, "
        f"{len(drift.extra)} extra",
    )
    return EXIT_DRIFT if drift.total and args.dry_run else EXIT_OK
