"""Helpers for social sign-in tests: a real OpenID Connect provider process
(oidc-provider-mock), a small real HTTP server speaking GitHub's OAuth 2.0
protocol, and a cookie-keeping client that follows the browser's steps."""
import http.cookiejar
import http.server
import json
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from harness import ROOT, free_port, wait_until


class OIDCProvider:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "-p", str(self.port), "-n", "true"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._up, what="OIDC provider")

    def _up(self):
        try:
            with urllib.request.urlopen(self.url + "/.well-known/openid-configuration", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def set_user(self, sub, **claims):
        request = urllib.request.Request(f"{self.url}/users/{sub}", data=json.dumps(claims).encode(), method="PUT",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).read()

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class FakeGitHub:
    """GitHub's OAuth 2.0 web flow: authorize redirects back with a code, the token
    endpoint answers JSON, /user has a null email, /user/emails lists the addresses."""

    def __init__(self, users):
        self.users = users  # code-less: the authorize step picks the user named in ?login=
        self.codes = {}
        self.tokens = {}
        self.port = free_port()
        gh = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send_json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/login/oauth/authorize":
                    code = f"code-{len(gh.codes)}"
                    gh.codes[code] = (q["login"], q.get("code_challenge"), q["redirect_uri"], q["client_id"])
                    target = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q["state"]})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                login = gh.tokens.get(token)
                if login is None:
                    return self.send_json(401, {"message": "Bad credentials"})
                user = gh.users[login]
                if url.path == "/user":
                    return self.send_json(200, {"id": user["id"], "login": login, "name": user["name"], "email": None})
                if url.path == "/user/emails":
                    return self.send_json(200, user["emails"])
                self.send_json(404, {})

            def do_POST(self):
                body = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                entry = gh.codes.pop(body.get("code"), None)
                import base64, hashlib
                if entry is None or body.get("client_secret") != "gh-secret" or body.get("redirect_uri") != entry[2]:
                    return self.send_json(200, {"error": "bad_verification_code"})
                challenge = base64.urlsafe_b64encode(hashlib.sha256(body.get("code_verifier", "").encode()).digest()).rstrip(b"=").decode()
                if entry[1] != challenge:
                    return self.send_json(200, {"error": "invalid_grant"})
                token = f"token-{len(gh.tokens)}"
                gh.tokens[token] = entry[0]
                self.send_json(200, {"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()


def providers_dir(workdir, oidc_url, github_url):
    """The bundled provider files plus a test OpenID provider and a test GitHub."""
    target = Path(workdir) / "providers"
    shutil.copytree(ROOT / "providers", target)
    (target / "mockoidc.yaml").write_text(json.dumps({
        "name": "Mock OIDC", "protocol": "oidc", "issuer": oidc_url,
        "scopes": ["openid", "email", "profile"], "recovery_url": oidc_url + "/recover"}))
    (target / "testhub.yaml").write_text(json.dumps({
        "name": "TestHub", "protocol": "oauth2", "authorization_endpoint": github_url + "/login/oauth/authorize",
        "token_endpoint": github_url + "/login/oauth/access_token", "userinfo_endpoint": github_url + "/user",
        "email_endpoint": github_url + "/user/emails", "scopes": ["read:user", "user:email"],
        "claims": {"subject": "id", "email": "email", "name": "name"}, "recovery_url": "https://github.com/password_reset"}))
    return str(target)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Keeps cookies like a browser; redirects are returned, not followed, so tests see each step."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, method, url, form=None, json_body=None, headers=None):
        data = None
        hdrs = dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with self.opener.open(req, timeout=15) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def drop_cookie(self, name):
        for c in list(self.jar):
            if c.name == name:
                self.jar.clear(c.domain, c.path, c.name)

    def sign_in_oidc(self, broker, oidc, sub, start_query="", expect_session=True):
        status, headers, _ = self.get(f"{broker.url}/auth/mockoidc/start{start_query}")
        assert status == 302, (status, headers)
        authorize = headers["Location"]
        assert authorize.startswith(oidc.url)
        status, headers, body = self.post(authorize, form={"sub": sub})
        assert status == 302, body
        callback = headers["Location"]
        assert callback.startswith(broker.url + "/auth/mockoidc/callback")
        return self.get(callback, headers={"Accept": "application/json"})
