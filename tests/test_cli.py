"""The `visor` command's contract: output, --json, exit status, messages."""

import json
from pathlib import Path

import pytest

from tests.cli_helpers import visor, visor_env
from tests.conftest import EXAMPLE_BUNDLE, minimal_record, read_jsonl, write_bundle
from visor.cli import build_parser


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_import_prints_a_json_summary_and_exits_0(home: Path, tmp_path: Path) -> None:
    result = visor("import", str(EXAMPLE_BUNDLE), "--json", env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["rejected_lines"], summary["rejects_file"]) == (3, 0, None)
    # Piped, so no progress bar.
    assert result.stderr == ""
    assert (tmp_path / "rejects.jsonl").read_text() == ""


def test_import_with_rejects_exits_1_and_names_the_reject_file(home: Path, tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", [minimal_record("R1"), "{oops"])
    rejects = tmp_path / "out" / "my-rejects.jsonl"
    rejects.parent.mkdir()
    result = visor(
        "import", str(bundle), "--rejects", str(rejects), env=visor_env(home), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "1 created" in result.stdout and "1 lines rejected" in result.stdout
    assert str(rejects) in result.stdout
    assert [r["line"] for r in read_jsonl(rejects)] == [2]


def test_empty_bundle_exits_3_with_a_reason(home: Path, tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", [])
    result = visor("import", str(bundle), env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 3
    assert "holds no nominals" in result.stderr


def test_missing_or_malformed_bundle_exits_2(home: Path, tmp_path: Path) -> None:
    result = visor("import", str(tmp_path / "nowhere"), env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 2 and "bundle not found" in result.stderr
    (tmp_path / "notabundle").mkdir()
    result = visor("import", str(tmp_path / "notabundle"), env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 2 and "no nominals.jsonl" in result.stderr


def test_import_from_stdin_resolves_photos_in_the_named_folder(home: Path, tmp_path: Path) -> None:
    lines = (EXAMPLE_BUNDLE / "nominals.jsonl").read_bytes()
    result = visor(
        "import",
        "-",
        "--photos",
        str(EXAMPLE_BUNDLE),
        "--json",
        env=visor_env(home),
        cwd=tmp_path,
        stdin=lines,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 3
    shown = visor("show", "EX0001", "--json", env=visor_env(home), cwd=tmp_path)
    assert len(json.loads(shown.stdout)["photos"]) == 1


def test_export_show_history_archive(home: Path, tmp_path: Path) -> None:
    env = visor_env(home)
    visor("import", str(EXAMPLE_BUNDLE), env=env, cwd=tmp_path)
    result = visor("export", str(tmp_path / "out"), "--json", env=env, cwd=tmp_path)
    assert result.returncode == 0 and json.loads(result.stdout)["nominals"] == 3
    again = visor("export", str(tmp_path / "out"), env=env, cwd=tmp_path)
    assert again.returncode == 2 and "not empty" in again.stderr

    assert visor("archive", "EX0001", env=env, cwd=tmp_path).returncode == 2  # --reason needed
    archived = visor(
        "archive",
        "EX0001",
        "--reason",
        "died",
        "--actor",
        "PC 123",
        "--json",
        env=env,
        cwd=tmp_path,
    )
    assert archived.returncode == 0 and json.loads(archived.stdout)["status"] == "archived"
    history = json.loads(visor("history", "EX0001", "--json", env=env, cwd=tmp_path).stdout)
    assert [(h["change"], h["actor"], h["reason"]) for h in history] == [
        ("create", "cli:" + history[0]["actor"].split(":", 1)[1], None),
        ("archive", "PC 123", "died"),
    ]
    missing = visor("show", "NOPE", env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "no nominal with reference 'NOPE'" in missing.stderr


def test_unreachable_database_exits_4_with_a_clear_message(home: Path, tmp_path: Path) -> None:
    env = visor_env(home, "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    result = visor("import", str(EXAMPLE_BUNDLE), env=env, cwd=tmp_path)
    assert result.returncode == 4
    assert "cannot reach the register database" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_builds_a_register_and_says_how_to_explore_it(home: Path, tmp_path: Path) -> None:
    env = visor_env(home)
    result = visor("demo", "--size", "60", "--seed", "3", "--no-serve", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "60 nominals" in result.stdout
    assert f"export VISOR_HOME={home / 'demo'}" in result.stdout
    demo_env = visor_env(home / "demo")
    shown = visor("show", "SYN0000001", "--json", env=demo_env, cwd=tmp_path)
    assert json.loads(shown.stdout)["reference"] == "SYN0000001"
    # The same seed gives the same register.
    first = shown.stdout
    visor("demo", "--size", "60", "--seed", "3", "--no-serve", env=env, cwd=tmp_path)
    assert visor("show", "SYN0000001", "--json", env=demo_env, cwd=tmp_path).stdout == first


def test_demo_will_not_wipe_a_folder_it_did_not_make(home: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "register.db").write_text("not yours")
    result = visor("demo", "--home", str(precious), "--no-serve", env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 2 and "holds other data" in result.stderr
    assert (precious / "register.db").read_text() == "not yours"


def test_import_shows_a_progress_bar_on_a_terminal(home: Path, tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "visor.cli", "import", str(EXAMPLE_BUNDLE)],
            env=visor_env(home),
            cwd=tmp_path,
            stderr=secondary,
            stdout=subprocess.PIPE,
            timeout=120,
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed: everything has been read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert process.returncode == 0
    assert b"import: 100%" in shown


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--rejects", "/nonexistent/folder/r.jsonl"], {}, "cannot write the reject file"),
        (["--photos", "/nonexistent/photos"], {}, "photo folder not found"),
        ([], {"VISOR_IMPORT_BATCH_SIZE": "0"}, "invalid setting: VISOR_IMPORT_BATCH_SIZE"),
        ([], {"VISOR_DATABASE_URL": "not a url"}, "invalid setting"),
    ],
)
def test_usage_errors_exit_2_with_a_reason(
    home: Path, tmp_path: Path, arguments: list[str], environment: dict[str, str], message: str
) -> None:
    env = visor_env(home, **environment)
    result = visor("import", str(EXAMPLE_BUNDLE), *arguments, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_the_reject_file_may_not_overwrite_the_bundle(home: Path, tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b", [minimal_record("R1")])
    before = (bundle / "nominals.jsonl").read_bytes()
    result = visor(
        "import",
        str(bundle),
        "--rejects",
        str(bundle / "nominals.jsonl"),
        env=visor_env(home),
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "would overwrite" in result.stderr
    assert (bundle / "nominals.jsonl").read_bytes() == before


@pytest.mark.parametrize(
    ("command", "variable", "value", "message"),
    [
        (["show", "X"], "VISOR_HOME", "{file}", "VISOR_HOME: {file} is not a folder"),
        (
            ["search", "--text", "man"],
            "VISOR_OPENSEARCH_URL",
            "not a url",
            "VISOR_OPENSEARCH_URL: must be a URL without spaces",
        ),
        (
            ["show", "X"],
            "VISOR_DATABASE_URL",
            "sqlite:///{missing}/x.db",
            "VISOR_DATABASE_URL: the SQLite database's folder {missing} does not exist",
        ),
        (["serve"], "VISOR_TRUSTED_HOSTS", "a*b", "VISOR_TRUSTED_HOSTS: 'a*b' is not a host"),
    ],
)
def test_a_bad_setting_is_named_and_exits_2_before_anything_is_touched(
    home: Path, tmp_path: Path, command: list[str], variable: str, value: str, message: str
) -> None:
    a_file, missing = tmp_path / "passwd", tmp_path / "nonexistent"
    a_file.write_text("root:x:0:0\n")
    fill = {"file": str(a_file), "missing": str(missing)}
    env = visor_env(home, **{variable: value.format(**fill)})
    result = visor(*command, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"visor: invalid setting: {message.format(**fill)}")
    assert result.stderr.count("\n") == 1
    assert not missing.exists()


def test_every_bad_setting_gets_a_line_of_its_own(home: Path, tmp_path: Path) -> None:
    env = visor_env(home, VISOR_IMPORT_BATCH_SIZE="0", VISOR_OPENSEARCH_URL="ftp://x")
    result = visor("show", "X", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(":")[2].strip() for line in lines] == [
        "VISOR_OPENSEARCH_URL",
        "VISOR_IMPORT_BATCH_SIZE",
    ]


def test_a_poisonous_line_is_rejected_and_the_valid_lines_imported(
    home: Path, tmp_path: Path
) -> None:
    lines = [
        minimal_record("R1"),
        "[" * 5000 + "]" * 5000,
        '{"reference": "R9", "height_cm": ' + "9" * 5000 + "}",
        minimal_record("R2"),
    ]
    bundle = write_bundle(tmp_path / "b", lines)
    result = visor("import", str(bundle), "--json", env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout)["created"] == 2
    rejects = read_jsonl(tmp_path / "rejects.jsonl")
    assert [r["line"] for r in rejects] == [2, 3]
    assert "nested deeper than 32 levels" in rejects[0]["reasons"][0]
    assert "a number longer than 40 characters" in rejects[1]["reasons"][0]
    for reference in ("R1", "R2"):
        assert visor("show", reference, env=visor_env(home), cwd=tmp_path).returncode == 0


def test_a_nominals_file_linked_elsewhere_is_refused_and_nothing_copied(
    home: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "nominals.jsonl").symlink_to(secret)
    result = visor("import", str(bundle), env=visor_env(home), cwd=tmp_path)
    assert result.returncode == 2 and "is a symbolic link: refused" in result.stderr
    rejects = tmp_path / "rejects.jsonl"
    assert not rejects.exists() or "root:x" not in rejects.read_text()


def test_user_text_is_stored_as_given_and_printed_escaped(home: Path, tmp_path: Path) -> None:
    env = visor_env(home)
    visor("import", str(EXAMPLE_BUNDLE), env=env, cwd=tmp_path)
    actor = "PC 1\x1b]0;owned\x07\x1b[2J\u202e"
    reason = "moved\nv9  2030-01-01  restore  by admin: status"
    archived = visor(
        "archive", "EX0001", "--reason", reason, "--actor", actor, env=env, cwd=tmp_path
    )
    assert archived.returncode == 0, archived.stderr
    shown = visor("history", "EX0001", env=env, cwd=tmp_path)
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "by PC 1\\x1b]0;owned\\x07\\x1b[2J\\u202e: status" in shown.stdout
    assert "(moved\\nv9  2030-01-01" in shown.stdout and len(shown.stdout.splitlines()) == 2
    stored = json.loads(visor("history", "EX0001", "--json", env=env, cwd=tmp_path).stdout)
    assert (stored[1]["actor"], stored[1]["reason"]) == (actor, reason)
    unreadable = visor(
        "archive", "EX0002", "--reason", "x", "--actor", "\udcff", env=env, cwd=tmp_path
    )
    assert unreadable.returncode == 2 and "actor: not valid UTF-8 text" in unreadable.stderr


def test_output_into_a_closed_pipe_stops_quietly(home: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = visor_env(home)
    visor("import", str(EXAMPLE_BUNDLE), env=env, cwd=tmp_path)
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"sex": "M"}\n' * 3000)
    # As `visor search ... | head -c 100`: read 100 bytes, then close the pipe.
    process = subprocess.Popen(
        [sys.executable, "-m", "visor.cli", "search", "--query-file", str(queries)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert len(process.stdout.read(100)) == 100
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert stderr == ""


@pytest.mark.parametrize(("command", "writes"), [(["show", "EX0001"], False), (["import"], True)])
def test_committed_work_is_kept_is_said_only_where_a_write_was_under_way(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    writes: bool,
) -> None:
    from register import nif_import, store
    from visor.cli import main

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setenv("VISOR_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(EXAMPLE_BUNDLE)]) == 0
    monkeypatch.setattr(store, "get_record", broken)
    monkeypatch.setattr(nif_import.BundleImporter, "run", broken)
    arguments = [*command, str(EXAMPLE_BUNDLE)] if command == ["import"] else command
    assert main(arguments) == 4
    stderr = capsys.readouterr().err
    assert "visor: unexpected error (details above)" in stderr
    assert ("committed work is kept" in stderr) is writes


@pytest.mark.parametrize(
    "words",
    [
        ["index", "--json", "status"],
        ["index", "status", "--json"],
        ["audit", "--json", "photos"],
        ["audit", "photos", "--json"],
        ["agencies", "--json", "list"],
        ["users", "list", "--json"],
    ],
)
def test_json_is_honoured_before_or_after_the_action(words: list[str]) -> None:
    # The action's own flag once overrode the command's with its default: `visor index
    # --json status` printed text.
    assert build_parser().parse_args(words).json is True
    plain = [word for word in words if word != "--json"]
    assert build_parser().parse_args(plain).json is False
