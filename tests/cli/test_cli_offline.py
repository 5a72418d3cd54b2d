"""The CLI without a server: configuration, usage errors, help."""

from __future__ import annotations

import pytest

from tracker.cli.config import ConfigError, load_settings
from tracker.cli.main import build_parser, main
from tracker.cli.output import csv_text, key_values, plain, table


def test_environment_wins_over_the_config_file(tmp_path):
    path = tmp_path / "config"
    path.write_text("[tracker]\nurl = http://file.example\ntoken = file-token\n")
    env = {"TRACKER_CONFIG": str(path), "TRACKER_URL": "http://env.example/"}
    settings = load_settings(env)
    assert (settings.url, settings.token) == ("http://env.example", "file-token")


def test_config_file_under_xdg_config_home(tmp_path):
    (tmp_path / "tracker").mkdir()
    (tmp_path / "tracker" / "config").write_text(
        "[tracker]\nurl = http://x\ntoken = t\n"
    )
    assert load_settings({"XDG_CONFIG_HOME": str(tmp_path)}).token == "t"


def test_missing_settings_say_what_to_set(tmp_path):
    with pytest.raises(ConfigError, match="TRACKER_URL"):
        load_settings({"HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="TRACKER_TOKEN"):
        load_settings({"HOME": str(tmp_path), "TRACKER_URL": "http://x"})


def test_missing_configuration_exits_2(tmp_path, capsys):
    assert main(["ls"], env={"HOME": str(tmp_path)}) == 2
    assert "tracker ls: no server" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        "ls",
        "show",
        "create",
        "reply",
        "comment",
        "edit",
        "take",
        "resolve",
        "link",
        "merge",
    ],
)
def test_every_command_has_help(command, capsys):
    assert main([command, "--help"]) == 0
    assert "usage: tracker" in capsys.readouterr().out


def test_top_level_help_lists_the_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("ls", "show", "create", "reply", "comment", "edit", "merge"):
        assert command in out


def test_bad_arguments_exit_2(capsys):
    assert main(["show", "abc"]) == 2
    assert "not a ticket number" in capsys.readouterr().err
    assert main(["link", "1", "likes", "2"]) == 2


def test_ticket_numbers_may_have_a_hash():
    args = build_parser().parse_args(["show", "#12"])
    assert args.id == 12


def test_output_helpers():
    assert plain({"type": "user", "id": "alice", "_url": "x"}) == "alice"
    assert plain([{"id": "a"}, {"id": "b"}]) == "a, b"
    assert plain("1970-01-01T00:00:00Z") == ""
    assert plain({"name": "Severity", "values": ["high"], "id": "3"}) == "Severity=high"
    assert table([["1", "x"]], ["id", "Subject"]) == "id  Subject\n1   x\n"
    assert csv_text([["1", "a,b"]], ["id", "Subject"]) == 'id,Subject\n1,"a,b"\n'
    assert key_values([("id", "1"), ("Text", "a\nb")]) == "id:   1\nText: a\n      b\n"
