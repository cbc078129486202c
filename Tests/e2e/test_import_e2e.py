"""Moving in: bulk import and export through the CLI, then sign-in through the API."""
import json
from pathlib import Path

from harness import ROOT, Broker
from social import Browser, providers_dir

VECTORS = json.loads((ROOT / "Tests" / "BrokerCryptoTests" / "Fixtures" / "hash-vectors.json").read_text())


def write_lines(path, lines):
    Path(path).write_text("".join(line + "\n" for line in lines))


def test_each_foreign_hash_signs_in_and_is_upgraded(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        lines = [json.dumps({"login": f"user{i}", "email": f"user{i}@example.com", "email_verified": True, "password_hash": v["hash"]})
                 for i, v in enumerate(VECTORS)]
        write_lines(tmp_path / "in.jsonl", lines)
        result = broker.cli("account", "import", str(tmp_path / "in.jsonl"))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == f"imported {len(VECTORS)}, skipped 0"
        for i, v in enumerate(VECTORS):
            assert broker.call("POST", "/api/v1/login", {"login": f"user{i}", "password": v["password"] + "!"})[0] == 401, v["name"]
            assert broker.call("POST", "/api/v1/login", {"login": f"user{i}@example.com", "password": v["password"]})[0] == 200, v["name"]
        exported = [json.loads(l) for l in broker.cli("account", "export").stdout.splitlines()]
        assert len(exported) == len(VECTORS)
        assert all(a["password_hash"].startswith("$argon2id$v=19$m=1024,t=1,p=1$") for a in exported), "rehashed at first sign-in"
        for i, v in enumerate(VECTORS):
            assert broker.call("POST", "/api/v1/login", {"login": f"user{i}", "password": v["password"]})[0] == 200
    finally:
        broker.stop()


def test_mixed_file_skips_exactly_the_bad_lines(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", {"login": "existing", "email": "taken@example.com"})
        lines = [
            json.dumps({"login": "good1", "email": "good1@example.com"}),                       # 1
            json.dumps({"login": "bad one"}),                                                 # 2 bad login
            "{not json",                                                                      # 3
            json.dumps({"email": "taken@example.com"}),                                       # 4 exists
            json.dumps({"login": "good2", "password_hash": "md5$salt$hash"}),                 # 5 unknown hash
            json.dumps({"login": "good3", "phone": "+55 11 98888-7777", "phone_verified": True}),  # 6
            json.dumps({"login": "good4", "identities": [{"provider": "orkut", "subject": "1"}]}),  # 7 unknown provider
            json.dumps({"login": "GOOD1"}),                                                   # 8 same login, other case
            json.dumps({"login": "good5", "phone": "0800 123"}),                              # 9 bad phone
            json.dumps({"login": "good6", "state": "deleted"}),                               # 10 bad state
            json.dumps({"login": "good7", "identities": [{"provider": "google", "subject": "g7"}], "state": "blocked"}),  # 11
        ]
        write_lines(tmp_path / "mixed.jsonl", lines)
        result = broker.cli("account", "import", "--rejects", str(tmp_path / "rejects.jsonl"), str(tmp_path / "mixed.jsonl"))
        assert result.returncode == 2
        assert result.stdout.strip().splitlines()[-1] == "imported 3, skipped 8"
        reported = sorted(int(l.split(":")[0].removeprefix("line ")) for l in result.stderr.splitlines() if l.startswith("line "))
        assert reported == [2, 3, 4, 5, 7, 8, 9, 10]
        rejected = (tmp_path / "rejects.jsonl").read_text().splitlines()
        assert sorted(rejected) == sorted(lines[i - 1] for i in [2, 3, 4, 5, 7, 8, 9, 10])
        status, body = broker.admin("GET", "/api/v1/admin/accounts?q=good")
        assert sorted(a["login"] for a in body["accounts"]) == ["good1", "good3", "good7"]
    finally:
        broker.stop()


def test_update_merges_into_the_existing_account(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        _, existing = broker.admin("POST", "/api/v1/admin/accounts", {"login": "merge-me", "email": "m@example.com"})
        write_lines(tmp_path / "u.jsonl", [json.dumps({"email": "m@example.com", "phone": "+5511977776666", "phone_verified": True,
                                                       "password_hash": VECTORS[0]["hash"]})])
        result = broker.cli("account", "import", "--update", str(tmp_path / "u.jsonl"))
        assert result.returncode == 0, result.stderr
        _, account = broker.admin("GET", f"/api/v1/admin/accounts/{existing['id']}")
        assert account["login"] == "merge-me" and account["phone"] == "+5511977776666" and account["has_password"]
    finally:
        broker.stop()


def test_export_imports_unchanged_into_a_fresh_broker(tmp_path, smtp):
    (tmp_path / "a").mkdir()
    first = Broker(tmp_path / "a", smtp.port).start()
    try:
        first.admin("POST", "/api/v1/admin/accounts", {"login": "ana", "email": "ana@example.com", "phone": "+5511966665555",
                                                       "password": "ana-password", "locale": "pt-BR",
                                                       "identities": [{"provider": "google", "subject": "a-1", "email": "ana@gmail.com"}]})
        first.admin("POST", "/api/v1/admin/accounts", {"email": "social@example.com", "email_verified": False,
                                                       "identities": [{"provider": "github", "subject": "77"}]})
        write_lines(tmp_path / "kc.jsonl", [json.dumps({"login": "kc-user", "password_hash": VECTORS[-1]["hash"]})])
        assert first.cli("account", "import", str(tmp_path / "kc.jsonl")).returncode == 0
        export = first.cli("account", "export").stdout
    finally:
        first.stop()
    (tmp_path / "b").mkdir()
    second = Broker(tmp_path / "b", smtp.port).start()
    try:
        (tmp_path / "export.jsonl").write_text(export)
        result = second.cli("account", "import", str(tmp_path / "export.jsonl"))
        assert result.returncode == 0, result.stderr
        assert second.cli("account", "export").stdout == export
        assert second.call("POST", "/api/v1/login", {"login": "ana", "password": "ana-password"})[0] == 200
        assert second.call("POST", "/api/v1/login", {"login": "kc-user", "password": VECTORS[-1]["password"]})[0] == 200
    finally:
        second.stop()


def test_imported_identities_sign_in_through_their_provider(tmp_path, smtp):
    from social import OIDCProvider
    oidc = OIDCProvider()
    try:
        broker = Broker(tmp_path, smtp.port, extra={"providers": {
            "directory": providers_dir(tmp_path, oidc.url, "http://127.0.0.1:9"),
            "credentials": {"mockoidc": {"client_id": "c", "client_secret": "s"}}}}).start()
        try:
            write_lines(tmp_path / "i.jsonl", [json.dumps({"id": "imported-1", "email": "ivy@example.com", "email_verified": True,
                                                           "identities": [{"provider": "mockoidc", "subject": "ivy-old-sub"}]})])
            assert broker.cli("account", "import", str(tmp_path / "i.jsonl")).returncode == 0
            oidc.set_user("ivy-old-sub", email="ivy@example.com", email_verified=True)
            browser = Browser()
            assert browser.sign_in_oidc(broker, oidc, "ivy-old-sub")[0] == 302
            status, _, body = browser.get(broker.url + "/api/v1/session")
            assert json.loads(body)["account"]["id"] == "imported-1"
        finally:
            broker.stop()
    finally:
        oidc.stop()


def test_an_id_that_starts_with_a_dash_is_read_as_an_id(tmp_path, smtp):
    """Ids made before ids were time-ordered are random, and 1 in 64 starts with '-': the
    commands that take an id read it as one, not as an option."""
    broker = Broker(tmp_path, smtp.port).start()
    try:
        dashed = "-AbCdEfGhIjKlMnOpQrStU"
        write_lines(tmp_path / "old.jsonl", [json.dumps({"id": dashed, "login": "dashy", "email": "dashy@example.com", "email_verified": True})])
        assert broker.cli("account", "import", str(tmp_path / "old.jsonl")).returncode == 0
        shown = broker.cli("account", "show", dashed)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["id"] == dashed
        blocked = broker.cli("account", "block", dashed)
        assert blocked.returncode == 0, blocked.stderr
        assert json.loads(broker.cli("account", "show", dashed).stdout)["state"] == "blocked"
    finally:
        broker.stop()


def test_account_create_needs_a_password_on_stdin(tmp_path, smtp):
    """The contract's usage has --password-stdin required: an account made without one, an
    address or a provider could never be signed in to."""
    broker = Broker(tmp_path, smtp.port).start()
    try:
        refused = broker.cli("account", "create", "--login", "nopass")
        assert refused.returncode == 64, refused
        assert "--password-stdin" in refused.stderr
        assert broker.cli("account", "find", "nopass").stdout.strip() == "no account matches"
        made = broker.cli("account", "create", "--login", "withpass", "--password-stdin", stdin="a-good-password-1\n")
        assert made.returncode == 0, made.stderr
        assert broker.call("POST", "/api/v1/login", {"login": "withpass", "password": "a-good-password-1"})[0] == 200
    finally:
        broker.stop()
