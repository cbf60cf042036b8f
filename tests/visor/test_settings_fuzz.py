"""Fuzz the settings: any environment builds a Settings or is refused in lines naming each
bad variable (never repeating a URL, which may hold a password), and a command then exits 2
with those lines, never a traceback."""

import os
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from visor.cli import main
from visor.settings import Settings, setting_problems

VARIABLES = [f"VISOR_{name.upper()}" for name in Settings.model_fields]
URLS = ("VISOR_DATABASE_URL", "VISOR_OPENSEARCH_URL")
# Environment values are text without NUL or lone surrogates (the OS cannot pass those),
# often shaped like the paths, numbers, flags and URLs the settings expect.
values = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40),
    st.sampled_from(["", " ", "0", "-1", "99999999", "true", "maybe", "/", "/etc/passwd", "~"]),
    st.sampled_from(["sqlite:////nonexistent/x.db", "sqlite://", "http://", "https://h:0"]),
    st.sampled_from(["https://[::1", "mysql://x", "*", "*.", "a,,b", "localhost,[::1]"]),
    st.sampled_from(["postgresql://u:pa55word@h:port/d", "https://u:pa55word@h:99999"]),
)
environments = st.dictionaries(st.sampled_from(VARIABLES), values, max_size=4)


@settings(max_examples=150, deadline=None)
@given(environments)
def test_any_environment_builds_settings_or_names_each_bad_variable(env: dict[str, str]) -> None:
    with mock.patch.dict(os.environ, env):
        try:
            Settings()
        except ValidationError as error:
            problems = setting_problems(error)
            assert problems
            for problem in problems:
                variable = problem.split(":")[0]
                assert variable in env, problem
                if variable in URLS and len(env[variable]) > 8:
                    assert env[variable] not in problem and "pa55word" not in problem


def test_a_command_under_any_environment_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    # The data folder is kept inside tmp_path: a command may create it.
    homes = st.sampled_from([tmp_path / "home", a_file, a_file / "x", tmp_path / "new" / "deep"])

    @settings(max_examples=40, deadline=None)
    @given(environments, homes)
    def check(env: dict[str, str], home: Path) -> None:
        # A database URL that parses could name a real server: the register stays local.
        env = {k: v for k, v in env.items() if k != "VISOR_DATABASE_URL"} | {
            "VISOR_HOME": str(home)
        }
        with mock.patch.dict(os.environ, env):
            code = main(["show", "NOPE"])
        err = capsys.readouterr().err
        assert code == 2, err  # no such nominal, or a bad setting
        assert err and all(line.startswith("visor: ") for line in err.splitlines())
        assert "Traceback" not in err

    check()
