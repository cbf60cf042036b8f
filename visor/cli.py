"""The `visor` command line: a thin layer over the same functions the API calls.

Exit status: 0 success; 1 finished but something was rejected (see the reject file);
2 usage error (bad arguments or settings, bundle or query missing or malformed); 3 nothing
to do (empty bundle); 4 failed (register unreachable, or an unexpected error): what was
committed stays and a re-run is safe; 141 the output was closed before the command finished
(`| head`), as for a program stopped by SIGPIPE.
"""

import argparse
import datetime as dt
import getpass
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError
from tqdm import tqdm

from foundation.errors import Conflict, InvalidInput, NotFound, VisorError
from foundation.escapes import json_text, printable
from imaging.blobstore import PhotoRejected
from imaging.pool import default_workers
from register import changes
from register.audit import AuditEvent
from register.database import open_register, translated_errors
from register.model import Status, to_document
from register.nif_export import export_bundle
from register.nif_import import (
    BundleImporter,
    ImportSummary,
    RejectWriter,
    open_bundle,
    open_nominals,
)
from register.permissions import authorize_export
from search.gaps import as_high_words
from search.photo_search import (
    DEFAULT_RADIUS,
    MAX_RADIUS,
    hash_query_image,
)
from search.query_rules import as_of_problem
from search.service import SearchAnswer
from visor.account_commands import (
    add_agency_arguments,
    add_user_arguments,
    run_agencies,
    run_users,
)
from visor.audit_commands import add_audit_arguments, run_audit
from visor.audited_search import search_descriptions, search_photos
from visor.backup_commands import (
    add_backup_arguments,
    add_restore_arguments,
    run_backup,
    run_restore,
)
from visor.check_commands import run_check
from visor.demo import run_demo
from visor.index_commands import add_index_arguments, run_index
from visor.output import OutputClosed, emit
from visor.query_file import QueryInput, read_queries
from visor.search_engines import SearchEngines
from visor.security import (
    check_purpose,
    operator_auditor,
    restriction_policy,
    signing_keys,
)
from visor.services import Services, build_services
from visor.settings import Settings, setting_problems

PURPOSE_HELP = "why (an incident or case number): kept in the audit trail, required by default"
EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_EMPTY = 3
EXIT_FAILED = 4
EXIT_OUTPUT_CLOSED = 128 + 13  # as the shell reports a program stopped by SIGPIPE


def _actor(args: argparse.Namespace) -> str:
    """Who the record's history names: --actor, on whose behalf the operator acts, or the
    operator (the audit trail names the operator either way, and --actor beside)."""
    if args.actor:
        return str(args.actor)
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _import(args: argparse.Namespace, services: Services) -> int:
    photo_root: Path | None
    rejects_path = Path(args.rejects)
    nominals: Path | None = None
    if args.bundle == "-":
        photo_root, total, source = args.photos, None, "stdin"
    else:
        nominals = open_bundle(Path(args.bundle))
        photo_root = args.photos or nominals.parent
        total, source = nominals.stat().st_size, str(nominals.resolve())
        if rejects_path.resolve() == nominals.resolve():
            raise InvalidInput("the reject file would overwrite the bundle's nominals.jsonl")
    # Opened before the reject file is rewritten: a bundle refused now leaves it as it was.
    stream: IO[bytes] = sys.stdin.buffer if nominals is None else open_nominals(nominals)
    try:
        rejects_out = rejects_path.open("w", encoding="utf-8")
    except OSError as error:
        stream.close()
        raise InvalidInput(
            f"cannot write the reject file {rejects_path}: {error.strerror}"
        ) from error
    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc="import",
        disable=not sys.stderr.isatty(),
        # A terminal that reports no size (a bare pty) would otherwise hide the bar.
        ncols=shutil.get_terminal_size().columns,
        nrows=shutil.get_terminal_size().lines,
    )
    with stream, rejects_out, bar:
        importer = BundleImporter(
            services.engine,
            services.blob_store,
            RejectWriter(rejects_out),
            actor=_actor(args),
            batch_size=services.settings.import_batch_size,
            auditor=operator_auditor(services.settings),
            photo_limits=services.settings.photo_limits,
        )
        summary = importer.run(stream, photo_root, source, on_progress=bar.update)
    if summary.rejected:
        summary.rejects_file = str(rejects_path.resolve())
    emit(args, summary.model_dump(), _import_text(summary))
    if summary.lines == 0:
        print("the bundle holds no nominals: nothing imported", file=sys.stderr)
        return EXIT_EMPTY
    return EXIT_REJECTED if summary.rejected else EXIT_OK


def _import_text(summary: ImportSummary) -> str:
    text = (
        f"read {summary.lines} lines: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.rejected_lines} lines rejected, "
        f"{summary.rejected_photos} photos rejected"
    )
    if summary.rejects_file:
        text += f"\nrejects, with reasons: {summary.rejects_file}"
    return text


def _export(args: argparse.Namespace, services: Services) -> int:
    auditor = operator_auditor(services.settings)
    authorize_export(auditor.principal)
    summary = export_bundle(services.engine, services.blob_store, Path(args.out))
    with services.engine.begin() as connection:
        auditor.record(
            connection,
            AuditEvent(
                "export",
                target=str(summary.out),
                purpose=check_purpose(services.settings, args.purpose),
                details={
                    "recipient": args.recipient,
                    "nominals": summary.nominals,
                    "photos": summary.photos,
                },
            ),
        )
    emit(
        args,
        summary.model_dump(),
        f"wrote {summary.nominals} nominals and {summary.photos} photos to {summary.out}",
    )
    return EXIT_OK


def _show(args: argparse.Namespace, services: Services) -> int:
    purpose = check_purpose(services.settings, args.purpose)
    auditor = operator_auditor(services.settings)
    with services.engine.begin() as connection:
        document = to_document(changes.view(connection, auditor, args.reference, purpose))
    emit(args, document, json_text(document, indent=2))
    return EXIT_OK


def _history(args: argparse.Namespace, services: Services) -> int:
    purpose = check_purpose(services.settings, args.purpose)
    auditor = operator_auditor(services.settings)
    with services.engine.begin() as connection:
        entries = changes.view_history(connection, auditor, args.reference, purpose)
    data: list[dict[str, Any]] = [
        {
            "version": e.version,
            "change": e.change,
            "changed_fields": e.changed_fields,
            "actor": e.actor,
            "reason": e.reason,
            "changed_at": e.changed_at.isoformat(),
        }
        for e in entries
    ]
    # Actor and reason are whatever the user typed: escaped, newlines too, so that neither
    # can forge a line of history or send the terminal an escape sequence.
    lines = [
        f"v{e['version']}  {e['changed_at']}  {e['change']:<8} by {printable(e['actor'])}: "
        f"{', '.join(e['changed_fields'])}"
        + (f"  ({printable(e['reason'])})" if e["reason"] else "")
        for e in data
    ]
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def _queries(args: argparse.Namespace) -> list[QueryInput]:
    if args.text is not None:
        return [QueryInput("", {"text": args.text})]
    return read_queries(args.query_file, sys.stdin.buffer)


def _search(args: argparse.Namespace, services: Services) -> int:
    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError as error:
            raise InvalidInput(f"--as-of must be a date (YYYY-MM-DD): {args.as_of}") from error
        if problem := as_of_problem(as_of):
            raise InvalidInput(f"--as-of: {problem}")
    purpose = check_purpose(services.settings, args.purpose)
    auditor = operator_auditor(services.settings)
    restrictions = restriction_policy(services.settings)
    queries = _queries(args)
    backend = SearchEngines(services).descriptive()
    failed = 0
    for query in queries:
        try:
            if query.error is not None:
                raise InvalidInput(query.error)
            answer = search_descriptions(
                services.engine,
                auditor,
                backend,
                query.document,
                args.top,
                as_of,
                purpose,
                restrictions,
            )
        except InvalidInput as error:
            failed += 1
            document = query.document
            query_id = document.get("query_id") if isinstance(document, dict) else None
            # Where in the file, so that it can be found and fixed.
            message = f"{query.label}: {error}" if query.label else str(error)
            emit(
                args,
                {"query_id": query_id, "error": message, "candidates": []},
                f"query {query_id}: {message}" if query_id else f"query: {message}",
            )
            continue
        emit(args, answer.model_dump(exclude_none=True), _search_text(answer))
    return EXIT_USAGE if failed else EXIT_OK


def _search_text(answer: SearchAnswer) -> str:
    understood = "; ".join(printable(part) for part in answer.understood)
    lines = ["understood: " + (understood or "(structured query)")]
    if answer.not_evidence:
        lines.append(
            "set aside (says nothing about the person): "
            + "; ".join(map(printable, answer.not_evidence))
        )
    if answer.not_understood:
        lines.append("not understood: " + "; ".join(map(printable, answer.not_understood)))
    if answer.narrowing:
        lines.append("narrowed most by: " + "; ".join(map(printable, answer.narrowing[:3])))
    for rank, candidate in enumerate(answer.candidates, start=1):
        lines.append(
            f"{rank:>3}. {candidate.reference}  score {candidate.score:.1f} bits"
            f"  ({as_high_words(candidate)})"
        )
        for evidence in sorted(candidate.explanation, key=lambda e: -abs(e.contribution)):
            lines.append(
                f"       {evidence.contribution:+6.1f}  {evidence.attribute}: "
                f"asked {evidence.asked!r}, found {evidence.found!r}"
            )
    if answer.candidates:
        lines.append(answer.scores_mean)
    return "\n".join(lines)


def _search_photo(args: argparse.Namespace, services: Services) -> int:
    if not 0 <= args.radius <= MAX_RADIUS:
        raise InvalidInput(f"--radius must be between 0 and {MAX_RADIUS}")
    if args.top < 1:
        raise InvalidInput("--top must be at least 1")
    purpose = check_purpose(services.settings, args.purpose)
    auditor = operator_auditor(services.settings)
    search = SearchEngines(services).photos()
    unreadable = 0
    for image in args.images:
        answer: dict[str, Any] = {"image": image}
        try:
            hashes = hash_query_image(Path(image))
            photo = Path(image).read_bytes()
        except (PhotoRejected, OSError) as error:
            unreadable += 1
            answer.update(candidates=[], error=str(error))
            emit(args, answer, f"{image}: cannot search: {error}")
            continue
        candidates = search_photos(
            services.engine,
            auditor,
            search,
            photo,
            hashes,
            args.top,
            args.radius,
            args.include_archived,
            purpose,
            lookalikes=args.lookalikes,
        )
        answer["candidates"] = [c.model_dump(mode="json") for c in candidates]
        shown = "copies and look-alikes" if args.lookalikes else "copies"
        lines = [f"{image}: {len(candidates)} nominal(s) holding {shown} within {args.radius} bits"]
        lines += [
            f"  {c.reference}  {c.likeness}  distance {c.distance}  "
            f"confidence {c.confidence:.1%}  {c.kind} photo {c.photo_sha256[:12]}"
            for c in candidates
        ]
        emit(args, answer, "\n".join(lines))
    return EXIT_USAGE if unreadable else EXIT_OK


def _set_status(status: Status) -> Callable[[argparse.Namespace, Services], int]:
    def run(args: argparse.Namespace, services: Services) -> int:
        auditor = operator_auditor(services.settings)
        with services.engine.begin() as connection:
            record = changes.set_status(
                connection,
                auditor,
                args.reference,
                status,
                args.reason,
                on_behalf_of=args.actor,
            )
        emit(args, to_document(record), f"{args.reference} is now {status}")
        return EXIT_OK

    return run


WORKER_PING_SECONDS = 60


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app

    if args.workers < 1:
        raise InvalidInput("--workers must be at least 1")
    if args.workers == 1:
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
        return EXIT_OK
    # Several processes, each building the app from the same environment (Settings() reads
    # it, as it did for `settings`). What they share lives in the register: sessions,
    # lock-out counts, the audit chain (appended under the write lock), and the outbox
    # position each embedded index compares with its own before every search. Checked and
    # migrated once here, so that a missing key is one message, not one per worker, and
    # the workers do not race to migrate a new register.
    signing_keys(settings)
    with translated_errors():
        open_register(settings.effective_database_url).dispose()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="info",
        # The supervisor restarts a worker that does not answer its ping in time. A worker
        # answers only once it has imported the app (seconds on a busy machine: numpy,
        # OpenCV, the vocabularies), and a worker busy with searches answers late: uvicorn's
        # 5 s killed healthy workers at start-up on a loaded 2-core machine.
        timeout_worker_healthcheck=WORKER_PING_SECONDS,
    )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="visor", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str, run: Callable[..., int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.set_defaults(run=run)
        return sub

    sub = command("import", "import a NIF bundle into the register", _import)
    sub.add_argument("bundle", help="bundle folder, or - to read nominals.jsonl from stdin")
    sub.add_argument("--photos", type=Path, help="folder photo paths are relative to")
    sub.add_argument("--rejects", default="rejects.jsonl", help="reject file (rewritten)")
    sub.add_argument("--actor", help="who is importing (default: cli:<login name>)")

    sub = command("export", "export the register as a NIF bundle", _export)
    sub.add_argument("out", help="folder to write (must be new or empty)")
    sub.add_argument("--recipient", help="to whom it is disclosed (kept in the audit trail)")
    sub.add_argument("--purpose", help="why (kept in the audit trail)")

    sub = command("search", "rank nominals against a description, with reasons", _search)
    given = sub.add_mutually_exclusive_group(required=True)
    given.add_argument("--text", help='a free description: "white man, about 30, stocky, ..."')
    given.add_argument(
        "--query-file", help="a JSON query, or JSON Lines of queries (- reads standard input)"
    )
    sub.add_argument("--top", type=int, default=10, help="candidates per query (default 10)")
    sub.add_argument("--as-of", help="date of the incident, for ages (default: today)")
    sub.add_argument("--purpose", help=PURPOSE_HELP)

    sub = command("search-photo", "find the nominals holding photos like these", _search_photo)
    sub.add_argument("images", nargs="+", help="photo files (JPEG, PNG or WebP)")
    sub.add_argument("--top", type=int, default=10, help="most nominals per image (default 10)")
    sub.add_argument(
        "--radius",
        type=int,
        default=DEFAULT_RADIUS,
        help=f"largest pHash+dHash Hamming distance, 0-{MAX_RADIUS} (default {DEFAULT_RADIUS})",
    )
    sub.add_argument("--include-archived", action="store_true", help="search archived too")
    sub.add_argument(
        "--lookalikes",
        action="store_true",
        help="also list photos that only look like it (not judged copies), marked as such",
    )
    sub.add_argument("--purpose", help=PURPOSE_HELP)

    sub = command("index", "build, sync and check the OpenSearch index", run_index)
    add_index_arguments(sub)

    sub = command("show", "print one nominal as NIF JSON", _show)
    sub.add_argument("reference")
    sub.add_argument("--purpose", help=PURPOSE_HELP)

    sub = command("history", "list every version of a nominal", _history)
    sub.add_argument("reference")
    sub.add_argument("--purpose", help=PURPOSE_HELP)

    statuses: tuple[tuple[str, Status], ...] = (("archive", "archived"), ("restore", "live"))
    for name, status in statuses:
        sub = command(name, f"mark a nominal {status} (a versioned change)", _set_status(status))
        sub.add_argument("reference")
        sub.add_argument("--reason", required=True, help="why (kept in the record's history)")
        sub.add_argument("--actor", help="who (default: cli:<login name>)")

    sub = command("agencies", "add and list agencies", run_agencies)
    add_agency_arguments(sub)
    sub = command("users", "add, disable, enable, unlock and list users", run_users)
    add_user_arguments(sub)
    sub = command(
        "audit",
        "verify, read and export the audit trail; photo-quality and compliance audits",
        run_audit,
    )
    add_audit_arguments(sub)

    sub = command(
        "backup", "write a consistent, verified backup of the register and photos", run_backup
    )
    add_backup_arguments(sub)
    sub = command(
        "restore-backup", "restore a backup into an empty register, and verify it", run_restore
    )
    add_restore_arguments(sub)

    command("check", "check the register is whole: histories, outbox, audit, files", run_check)

    sub = command("serve", "serve the HTTP API (/api/v1, OpenAPI at /openapi.json)", _serve)
    sub.set_defaults(standalone=True)
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default loopback)")
    sub.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    sub.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="server processes (default: one per core, here %(default)s)",
    )

    sub = command(
        "demo", "build a synthetic demo register, then serve the web pages over it", run_demo
    )
    sub.set_defaults(standalone=True)
    sub.add_argument("--size", type=int, default=3000, help="number of nominals (default 3000)")
    sub.add_argument("--seed", type=int, default=1, help="random seed (same seed, same register)")
    sub.add_argument("--home", type=Path, help="demo data folder (default VISOR_HOME/demo)")
    sub.add_argument("--no-serve", action="store_true", help="build the register, serve nothing")
    sub.add_argument("--host", default="127.0.0.1", help="address to serve on (default loopback)")
    sub.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    return parser


def _unreadable_argument(args: argparse.Namespace) -> str | None:
    """The first argument that is not valid text: bytes that are not UTF-8 reach Python as
    lone surrogates, which can be neither stored nor printed."""
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return name
    return None


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command writes to the register or the index as it goes."""
    if args.command == "index":
        return bool(args.action != "status" and not getattr(args, "dry_run", False))
    return bool(
        args.command
        in {"import", "archive", "restore", "restore-backup", "demo", "agencies", "users"}
        or (args.command == "audit" and getattr(args, "audit_action", "") == "checkpoint")
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    services: Services | None = None
    try:
        if name := _unreadable_argument(args):
            raise InvalidInput(f"{name.replace('_', '-')}: not valid UTF-8 text")
        settings = Settings()
        if getattr(args, "standalone", False):
            return int(args.run(args, settings))
        with translated_errors():
            services = build_services(settings)
            return int(args.run(args, services))
    except OutputClosed:
        # Whoever read the output has gone: stop quietly, and send what Python still
        # flushes at exit nowhere rather than into a second BrokenPipeError.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OUTPUT_CLOSED
    except ValidationError as error:
        for problem in setting_problems(error):
            _fail(EXIT_USAGE, f"invalid setting: {problem}")
        return EXIT_USAGE
    except ArgumentError as error:
        return _fail(EXIT_USAGE, f"invalid setting: {error}")
    except (InvalidInput, NotFound, Conflict) as error:
        return _fail(EXIT_USAGE, str(error))
    except VisorError as error:
        return _fail(EXIT_FAILED, str(error))
    except Exception:
        # Never exit 1 (which means "rejected") on a crash; keep the trace for a bug report.
        traceback.print_exc()
        kept = "; committed work is kept and re-running is safe" if _writes(args) else ""
        return _fail(EXIT_FAILED, f"unexpected error (details above){kept}")
    finally:
        if services is not None:
            services.close()


def _fail(code: int, message: str) -> int:
    print(f"visor: {printable(message)}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
