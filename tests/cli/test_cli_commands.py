"""The command line, driven in-process: messages, JSON output and exit codes."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from factories import FAST_KDF, PASSPHRASE
from fieldreader.cli import context, run


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(self, *args: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = run(
            ["--data-dir", str(self.data_dir), *args],
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            kdf=FAST_KDF,
        )
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("FIELDREADER_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("FIELDREADER_NEW_PASSPHRASE", raising=False)
    return Cli(data_dir)


@pytest.fixture
def loaded(cli: Cli) -> Cli:
    assert cli("init").code == 0
    result = cli("load-sample")
    assert result.code == 0, result.err
    return cli


def test_init_twice_is_an_error(cli: Cli) -> None:
    assert cli("init").code == 0
    again = cli("init")
    assert again.code == 1
    assert "already exists" in again.err


def test_commands_without_library_say_how_to_create_one(cli: Cli) -> None:
    result = cli("list")
    assert result.code == 1
    assert "fieldreader init" in result.err


def test_wrong_passphrase_exit_code(loaded: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDREADER_PASSPHRASE", "wrong")
    result = loaded("list")
    assert result.code == 3
    assert "not correct" in result.err
    assert "wrong" not in result.err.replace("not correct", "")


def test_passphrase_file(loaded: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FIELDREADER_PASSPHRASE")
    no_source = loaded("list")
    assert no_source.code == 1
    assert "--passphrase-file" in no_source.err
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    assert loaded("list", "--passphrase-file", str(secret)).code == 0
    assert loaded("list", "--passphrase-file", str(tmp_path / "none")).code == 1


def test_list_json(loaded: Cli) -> None:
    items = loaded("list", "--json").json()
    assert isinstance(items, list)
    assert len(items) >= 44
    assert {"id", "kind", "lang", "title"} <= set(items[0])
    kinds = {i["kind"] for i in items}
    assert kinds == {"article", "contact", "guidance"}
    french = loaded("list", "--kind", "article", "--lang", "fr", "--json").json()
    assert french
    assert all(i["lang"] == "fr" and i["kind"] == "article" for i in french)


def test_search_json_and_filters(loaded: Cli) -> None:
    hits = loaded("search", "civicus", "--json").json()
    assert isinstance(hits, list)
    assert hits
    assert {"id", "kind", "title", "snippet"} <= set(hits[0])
    contacts = loaded("search", "civicus", "--kind", "contact", "--json").json()
    assert all(h["kind"] == "contact" for h in contacts)
    text = loaded("search", "societe")
    assert text.code == 0
    assert "[" in text.out
    for garbage in ['"unclosed', "AND", "*", "NEAR(", "(((", "title:"]:
        result = loaded("search", garbage, "--json")
        assert result.code == 0, garbage
        assert isinstance(result.json(), list)
    bad_date = loaded("search", "x", "--from", "yesterday")
    assert bad_date.code == 2


def test_show_text_json_html(loaded: Cli) -> None:
    first = loaded("list", "--kind", "article", "--json").json()[0]
    item_id = first["id"]
    assert first["title"] in loaded("show", item_id).out
    data = loaded("show", item_id, "--json").json()
    assert data["id"] == item_id
    html = loaded("show", item_id, "--html").out
    assert "<script" not in html
    assert 'dir="' in html
    missing = loaded("show", "no-such-item")
    assert missing.code == 1
    assert "no-such-item" in missing.err


def test_notes_and_bookmarks(loaded: Cli) -> None:
    article = loaded("list", "--kind", "article", "--lang", "en", "--json").json()[0]
    item_id = article["id"]
    body = loaded("show", item_id, "--json").json()["body"]
    passage = " ".join(body.split()[3:8])
    assert loaded("note", "add", "--item", item_id, "--quote", passage, "Check this").code == 0
    assert loaded("note", "add", "A free note").code == 0
    notes = loaded("note", "list", "--json").json()
    assert {n["body"] for n in notes} == {"Check this", "A free note"}
    quoted = next(n for n in notes if n["quote"])
    assert quoted["quote"] == passage
    assert quoted["item_title"] == article["title"]
    bad_quote = loaded("note", "add", "--item", item_id, "--quote", "not in the text at all", "x")
    assert bad_quote.code == 1
    assert "not in" in bad_quote.err
    assert loaded("note", "add", "--quote", "x", "y").code == 1
    assert len(loaded("note", "list", "--json").json()) == 2

    assert loaded("bookmark", "add", item_id).code == 0
    assert [b["id"] for b in loaded("bookmark", "list", "--json").json()] == [item_id]
    assert loaded("bookmark", "remove", item_id).code == 0
    assert loaded("bookmark", "list", "--json").json() == []
    assert loaded("bookmark", "add", "missing-id").code == 1


def test_passwd(loaded: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    no_new = loaded("passwd")
    assert no_new.code == 1
    monkeypatch.setenv("FIELDREADER_NEW_PASSPHRASE", "a brand new one")
    assert loaded("passwd").code == 0
    assert loaded("list").code == 3
    monkeypatch.setenv("FIELDREADER_PASSPHRASE", "a brand new one")
    assert loaded("list").code == 0


def test_wipe_needs_yes_off_a_terminal(loaded: Cli, data_dir: Path) -> None:
    refused = loaded("wipe")
    assert refused.code == 1
    assert "--yes" in refused.err
    assert data_dir.exists()
    assert loaded("wipe", "--yes").code == 0
    assert not data_dir.exists()
    assert loaded("list").code == 1


def test_render_file(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Hello\n\n<script>alert(1)</script>\n\n![x](https://evil.example/p.png)\n")
    result = cli("render", str(page))
    assert result.code == 0
    assert "<h1>Hello</h1>" in result.out
    assert "<script" not in result.out
    assert "evil.example" not in result.out.split("blocked")[0] or "src=" not in result.out
    rtl = tmp_path / "rtl.md"
    rtl.write_text("---\nid: x\nkind: article\nlang: fa\ntitle: عنوان\n---\nمتن\n")
    assert 'dir="rtl"' in cli("render", str(rtl)).out
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"caf\xe9")
    result = cli("render", str(bad))
    assert result.code == 1
    assert "bad.md: not valid UTF-8" in result.err
    assert cli("render", str(tmp_path / "missing.md")).code == 1


def test_status_and_demo(loaded: Cli, tmp_path: Path) -> None:
    status = loaded("status")
    assert status.code == 0
    assert "Articles:" in status.out
    demo = Cli(tmp_path / "demo")("demo")
    assert demo.code == 0, demo.err
    assert "sample library" in demo.out


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli().code == 2
    assert cli("frobnicate").code == 2
    assert cli("list", "--kind", "poem").code == 2


def test_note_text_from_standard_input(loaded: Cli) -> None:
    assert loaded("note", "add", stdin="typed, not in the shell history\n").code == 0
    assert loaded("note", "add", "-", stdin="second\n").code == 0
    assert loaded("note", "add", stdin="   \n").code == 1
    bodies = {n["body"] for n in loaded("note", "list", "--json").json()}
    assert bodies == {"typed, not in the shell history\n", "second\n"}


def test_demo_never_uses_the_real_library_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(context, "default_data_dir", lambda: tmp_path / "real")
    monkeypatch.setattr(context, "demo_data_dir", lambda: tmp_path / "demo")
    out, err = io.StringIO(), io.StringIO()
    assert run(["demo"], stdin=io.StringIO(), stdout=out, stderr=err, kdf=FAST_KDF) == 0, err
    assert (tmp_path / "demo" / "library.keys").exists()
    assert not (tmp_path / "real").exists()
