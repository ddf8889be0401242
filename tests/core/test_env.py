from __future__ import annotations

import pytest

from core.env import env_bool, env_int, env_list, env_str


def test_readers_use_defaults_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("G_STR", "G_BOOL", "G_INT", "G_LIST"):
        monkeypatch.delenv(name, raising=False)
    assert env_str("G_STR", "x") == "x"
    assert env_bool("G_BOOL", True) is True
    assert env_int("G_INT", 7) == 7
    assert env_list("G_LIST", ["a"]) == ["a"]


def test_readers_parse_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("G_BOOL", "Off")
    monkeypatch.setenv("G_INT", "42")
    monkeypatch.setenv("G_LIST", " giliran.go.id, ,www.giliran.go.id ")
    assert env_bool("G_BOOL", True) is False
    assert env_int("G_INT", 0) == 42
    assert env_list("G_LIST", []) == ["giliran.go.id", "www.giliran.go.id"]


def test_a_typo_in_a_boolean_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("G_BOOL", "ya")
    with pytest.raises(ValueError, match="G_BOOL"):
        env_bool("G_BOOL", False)
