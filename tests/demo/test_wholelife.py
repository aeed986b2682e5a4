"""The generated whole life through `homebody add` and `sync`, as a user would run them, and its questions.

One life is generated at scale 1 and synced once for the module (a few seconds); the tests then read
that vault. Nothing here loads a model.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from homebody.agent.coverage import coverage
from homebody.app import App
from homebody.cli import cli
from homebody.demo.wholelife import generate, resolve_gold
from homebody.errors import ConfigError, NotFound
from homebody.vault.items import Kind

KINDS = {"single-source", "cross-source", "temporal", "aggregate", "person-centred", "unconnected", "nowhere"}


def run(home, *args, ok=True):
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture(scope="module")
def life(tmp_path_factory):
    """Maya's life at scale 1, every source added through the CLI and synced once."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("HOMEBODY_HOME", "HOMEBODY_PASSPHRASE", "HOMEBODY_CONFIG", "HOMEBODY_NOW"):
            env.delenv(name, raising=False)
        env.setenv("HOMEBODY_KEYRING", "off")
        env.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
        root = tmp_path_factory.mktemp("wholelife")
        manifest = generate(root / "life", seed=7, scale=1)
        home = root / "home"
        home.mkdir()
        (home / "config.toml").write_text('timezone = "Europe/London"\nregion = "GB"\n', encoding="utf-8")
        env.setenv("HOMEBODY_NOW", "2026-11-21T12:00:00+00:00")
        for source in manifest.sources:
            run(home, "add", source.kind, str(source.path), "--name", source.name)
        synced = run(home, "sync", "--quiet", "--no-embed").output  # vectors: tests/retrieval
        yield manifest, home, synced


def test_every_source_syncs_with_no_bad_record(life):
    manifest, home, synced = life
    assert "bad record" not in synced and "✗" not in synced, synced
    sources = {s["name"]: s for s in json.loads(run(home, "sources", "--json").output)}
    assert set(sources) == {s.name for s in manifest.sources}
    assert len(sources) == 13
    assert all(s["errors"] == 0 and s["items"] > 0 for s in sources.values()), sources
    total = sum(s["items"] for s in sources.values())
    assert 2000 <= total <= 5000, total
    assert json.loads(run(home, "sources", "--errors", "--json").output) == []


def test_every_kind_of_data_is_covered(life):
    _, home, _ = life
    app = App.from_home(home)
    try:
        seen = coverage(app.vault, app.registry)
        kinds = dict(app.vault.conn.execute("SELECT kind, count(*) FROM items GROUP BY kind").fetchall())
    finally:
        app.close()
    assert set(seen.searched) == set(Kind) and seen.not_connected == ()
    assert {k: kinds.get(str(k), 0) > 0 for k in Kind} == {k: True for k in Kind}, kinds


def test_dev_patel_is_one_person_across_email_phone_whatsapp_and_venmo(life):
    _, home, _ = life
    dev = json.loads(run(home, "person", "Dev Patel", "--json").output)
    assert dev["name"] == "Dev Patel"
    identities = {(i["kind"], i["value"]) for i in dev["identities"]}
    assert identities >= {
        ("email", "dev.patel@example.org"),
        ("phone", "+447700900356"),
        ("name", "dev patel"),
    }
    assert set(dev["channels"]) >= {"vcard", "mbox", "imessage", "whatsapp", "venmo"}
    reasons = " / ".join(j["reason"] for j in dev["joined_because"])
    assert "contact card 'Dev Patel'" in reasons and "writes from dev.patel@example.org" in reasons
    # Auntie Kavita is only a number in the WhatsApp group: her card's number joins it to her.
    kavita = json.loads(run(home, "person", "Kavita Mehta", "--json").output)
    assert ("phone", "+447700900582") in {(i["kind"], i["value"]) for i in kavita["identities"]}
    assert set(kavita["channels"]) == {"vcard", "whatsapp", "imessage"}


def test_search_by_person_finds_dev_on_several_channels(life):
    _, home, _ = life
    hits = json.loads(run(home, "search", "Mum", "--person", "Dev Patel", "--json", "--limit", "50").output)
    assert {h["source_kind"] for h in hits} >= {"mbox", "imessage", "whatsapp", "venmo"}
    other = json.loads(run(home, "search", "Porto", "--person", "Sam Whitfield", "--json").output)
    assert other and {h["source_kind"] for h in other} == {"mbox"}


def test_a_second_sync_adds_nothing(life):
    manifest, home, _ = life
    again = run(home, "sync", "--quiet", "--no-embed").output
    for source in manifest.sources:
        assert f"{source.name}: 0 new, 0 changed" in again, again


def test_every_gold_locator_resolves_to_one_stored_item(life):
    manifest, home, _ = life
    questions = manifest.load_questions()
    names = manifest.source_names()
    app = App.from_home(home)
    try:
        resolved = [resolve_gold(app.vault, names, q["gold"]) for q in questions]
        kinds_of = {
            row[0]: row[1]
            for row in app.vault.conn.execute(
                "SELECT i.id, s.kind FROM items i JOIN sources s ON s.id = i.source_id"
            )
        }
    finally:
        app.close()
    assert sum(len(ids) for ids in resolved) == sum(len(q["gold"]) for q in questions) > 100
    assert all(len(set(ids)) == len(ids) for ids in resolved)
    # Gold spans every source kind the life has.
    assert {kinds_of[i] for ids in resolved for i in ids} == {s.kind for s in manifest.sources}


def test_questions_are_labelled_like_the_demo_persona(life):
    manifest, _, _ = life
    questions = manifest.load_questions()
    assert len(questions) >= 60
    count = Counter(q["kind"] for q in questions)
    assert set(count) == KINDS and min(count.values()) >= 5, count
    for q in questions:
        assert q["question"].endswith("?") and isinstance(q["facts"], list)
        if q["kind"] in ("unconnected", "nowhere"):
            assert q["gold"] == [] and q["facts"] == []
        else:
            assert q["gold"] and q["facts"], q
        if q["kind"] == "aggregate":
            assert isinstance(q["expected"], float), q
    tags = Counter(t for q in questions for t in q.get("tags", []))
    assert tags["paraphrase"] >= 3 and tags["distractor"] >= 3 and tags["split"] >= 2


def test_a_locator_naming_nothing_or_many_items_is_refused(life):
    manifest, home, _ = life
    names = manifest.source_names()
    chat = "WhatsApp/WhatsApp Chat with Chloe Marsh.txt"
    app = App.from_home(home)
    try:
        with pytest.raises(NotFound, match="names no item"):
            resolve_gold(app.vault, names, [{"file": chat, "locator": "no message starts like this"}])
        with pytest.raises(NotFound, match="items, not one"):
            resolve_gold(app.vault, names, [{"file": chat, "locator": "o"}])
        with pytest.raises(NotFound, match="no source reads"):
            resolve_gold(app.vault, names, [{"file": "Bank/elsewhere.ofx", "locator": "C1"}])
    finally:
        app.close()


def test_generation_is_byte_identical_for_a_seed(tmp_path):
    first, second, other = (
        generate(tmp_path / name, seed=seed) for name, seed in (("a", 7), ("b", 7), ("c", 8))
    )

    def contents(manifest):
        return {f.relative_to(manifest.root).as_posix(): f.read_bytes() for f in manifest.files}

    assert contents(first) == contents(second)
    different = {name for name, data in contents(other).items() if contents(first).get(name) != data}
    assert "Messages/chat.db" in different and "Bank/thistle-bank-2026-11-21.ofx" in different


def test_scale_multiplies_the_noise_not_the_facts(tmp_path):
    small, large = generate(tmp_path / "x1", scale=1), generate(tmp_path / "x2", scale=2)
    assert sum(large.records.values()) > 1.8 * sum(small.records.values())

    def facts(manifest):
        return [(q["question"], q["kind"], q["facts"], q.get("expected")) for q in manifest.load_questions()]

    assert facts(small) == facts(large)


def test_a_left_out_source_kind_makes_its_questions_unconnected(tmp_path):
    full = generate(tmp_path / "full").load_questions()
    without = generate(tmp_path / "no-venmo", exclude={"venmo"})
    assert not (tmp_path / "no-venmo" / "Bank" / "venmo_statement.csv").exists()
    assert "venmo" not in {s.kind for s in without.sources}
    after = without.load_questions()
    assert [q["question"] for q in after] == [q["question"] for q in full]
    needs_venmo = [
        i for i, q in enumerate(full) if any(g["file"].endswith("venmo_statement.csv") for g in q["gold"])
    ]
    assert len(needs_venmo) == 3
    for i in needs_venmo:
        assert after[i]["kind"] == "unconnected" and after[i]["gold"] == [] and "venmo" in after[i]["note"]
    unchanged = [i for i in range(len(full)) if i not in needs_venmo]
    assert all(after[i] == full[i] for i in unchanged)
    with pytest.raises(ConfigError, match="unknown source kinds"):
        generate(tmp_path / "bad", exclude={"fax"})
    with pytest.raises(ConfigError, match="not empty"):
        generate(tmp_path / "full")


def test_demo_whole_life_command_generates_adds_and_syncs(tmp_path):
    home = tmp_path / "demo-home"
    result = run(home, "demo", "--whole-life")
    assert "72 labelled questions" in result.output
    assert "gmail: 642 new" in result.output and "bad record" not in result.output
    counts = result.output.split(" items: ")[1].splitlines()[0]
    assert "642 email" in counts and "transaction" in counts and "article" in counts
    assert (home / "life" / "questions.json").exists() and (home / ".homebody-demo").exists()
    again = run(home, "demo", "--whole-life", "--keep")
    assert "gmail: 0 new, 0 changed" in again.output
