"""Tokens carry orgs; the submit service decides ownership and quotas once for every edge."""

import json
import shutil

import pytest
from conftest import REPO

from podium.cli import main as podium_main
from podium.config import Home
from podium.errors import Forbidden, QuotaExceeded, UsageError
from podium.limits import Limits
from podium.schema import ModelInfo
from podium.submissions import check_owner, submit
from podium.tokens import TokenStore, org_key

PREDICTIONS = REPO / "samples/predictions/fin-sentiment/acme--tfidf-logreg.jsonl"


def test_a_token_holds_its_own_name_and_its_granted_orgs_compared_by_slug(tmp_path):
    store = TokenStore(Home.from_env(tmp_path))
    store.create("alice", "submitter", orgs=["Acme Labs"])
    record = store.list()[0]
    assert record.holds("alice") and record.holds("ALICE") and record.holds("acme-labs") and record.holds("Acme Labs")
    assert not record.holds("northwind")
    store.grant("alice", ["northwind"])
    assert store.list()[0].holds("NorthWind")
    store.create("alice", "submitter")  # a second token of alice holds what alice holds
    assert all(r.holds("northwind") for r in store.list())
    store.ungrant("alice", ["northwind"])
    assert not any(r.holds("northwind") for r in store.list())
    with pytest.raises(UsageError):
        store.ungrant("alice", ["alice"])  # its own name is always its org
    with pytest.raises(UsageError):
        store.grant("nobody", ["x"])
    with pytest.raises(UsageError):
        store.create("bob", "submitter", orgs=["a/b"])
    store.create("root", "admin")
    assert next(r for r in store.list() if r.name == "root").holds("anything")
    assert org_key("Acme Labs") == org_key("acme-labs")


def test_tokens_files_of_earlier_versions_are_read(tmp_path):
    home = Home.from_env(tmp_path)
    home.private_dir.mkdir(parents=True)
    legacy = [{"name": "old", "role": "submitter", "sha256": "0" * 64, "created_at": "2026-01-01T00:00:00+00:00",
               "expires_at": None, "revoked": False, "from_a_later_version": 1}]  # fmt: skip
    (home.private_dir / "tokens.json").write_text(json.dumps(legacy))
    record = TokenStore(home).list()[0]
    assert record.orgs == [] and record.holds("old") and not record.holds("other")


def test_check_owner_fills_in_the_default_org_and_names_the_grant_to_ask_for(tmp_path):
    store = TokenStore(Home.from_env(tmp_path))
    store.create("ci-bot", "submitter")
    who = store.list()[0]
    assert check_owner(who, ModelInfo(name="m")).org == "ci-bot"
    with pytest.raises(Forbidden, match="podium token grant ci-bot --org northwind"):
        check_owner(who, ModelInfo(name="m", org="NorthWind"))


def test_quotas_are_checked_by_the_service_not_only_at_the_edges(home):
    data = Home.from_env(home)
    store = TokenStore(data)
    store.create("q", "submitter")
    who = store.list()[0]
    limits = Limits(daily_submissions=2, max_queued=10)
    for i in range(2):
        path = home / f"p{i}.jsonl"
        shutil.copy(PREDICTIONS, path)
        path.write_text(path.read_text() + "\n" * i)
        assert submit(data, "fin-sentiment", path, ModelInfo(name=f"m{i}"), identity=who, limits=limits).created
    with pytest.raises(QuotaExceeded, match="the limit is 2"):
        submit(data, "fin-sentiment", PREDICTIONS, ModelInfo(name="m9"), identity=who, limits=limits)
    # the duplicate of an accepted submission is answered as before, without spending quota
    assert not submit(data, "fin-sentiment", home / "p0.jsonl", ModelInfo(name="m0"), identity=who,
                      limits=limits).created  # fmt: skip
    store.create("boss", "admin")
    boss = next(r for r in store.list() if r.name == "boss")
    for i in range(3):  # admins have no quotas
        path = home / f"b{i}.jsonl"
        path.write_text(PREDICTIONS.read_text() + "\n" * i)
        assert submit(data, "fin-sentiment", path, ModelInfo(name=f"b{i}", org="anyone"), identity=boss,
                      limits=limits).created  # fmt: skip


def test_token_commands_print_the_orgs(tmp_path, capsys):
    base = ["--home", str(tmp_path), "token"]
    assert podium_main([*base, "create", "--name", "ci-bot", "--role", "submitter", "--org", "acme"]) == 0
    assert "orgs ci-bot, acme" in capsys.readouterr().err
    assert podium_main([*base, "grant", "ci-bot", "--org", "labs"]) == 0
    assert capsys.readouterr().out.strip() == "ci-bot now submits for: ci-bot, acme, labs"
    assert podium_main([*base, "revoke", "ci-bot", "--org", "acme"]) == 0
    assert capsys.readouterr().out.strip() == "ci-bot now submits for: ci-bot, labs"
    assert podium_main([*base, "list"]) == 0
    assert "orgs: ci-bot, labs" in capsys.readouterr().out
    assert podium_main([*base, "grant", "nobody", "--org", "x"]) == 2


def test_page_callbacks_open_only_uploaded_files(tmp_path, monkeypatch):
    from podium.web.submit_tab import uploaded

    uploads = tmp_path / "gradio"
    (uploads / "abc").mkdir(parents=True)
    mine = uploads / "abc" / "p.csv"
    mine.write_text("id,prediction\n")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    assert uploaded(str(mine)) == str(mine.resolve())
    outside = tmp_path / "gold.parquet"
    outside.write_text("secret")
    for hostile in (str(outside), str(uploads / "abc" / ".." / ".." / "gold.parquet"), "/etc/passwd", None, 5):
        assert uploaded(hostile) is None
    link = uploads / "abc" / "link.csv"
    link.symlink_to(outside)
    assert uploaded(str(link)) is None  # a link out of the folder is followed and refused


def test_a_new_name_cannot_take_over_an_org_that_slugs_alike(tmp_path):
    store = TokenStore(Home.from_env(tmp_path))
    store.create("Böb", "submitter")
    store.create("acme-bot", "submitter", orgs=["ACME Corp"])
    for clash in ("bob", "BOB", "acme-corp"):
        with pytest.raises(UsageError, match="would hold the org"):
            store.create(clash, "submitter")
    store.create("Böb", "submitter")  # another token of the same name is fine
    store.create("carol", "submitter")
    store.grant("carol", ["acme-corp"])  # an org shared on purpose
    assert next(r for r in store.list() if r.name == "carol").holds("ACME Corp")
