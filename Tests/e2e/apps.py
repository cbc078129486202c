"""An app on the other side of the broker, as integrators write one: Authlib's OAuth 2.0 /
OpenID Connect client does discovery, PKCE, the code exchange and refresh, and joserfc
checks the id_token against the broker's JWKS. The app's own web server is not needed:
the tests read the redirect the broker sends the browser to."""
import re
import urllib.parse

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

SHOP_SECRET = "shop-secret-0123456789"
REDIRECT = "http://127.0.0.1:5999/oidc/callback"
HOME = "http://127.0.0.1:5999/"


def apps_config():
    return [
        {"client_id": "shop", "client_secret": SHOP_SECRET, "name": "Shop", "redirect_uris": [REDIRECT], "post_logout_redirect_uris": [HOME]},
        {"client_id": "spa", "name": "Single page", "redirect_uris": ["http://127.0.0.1:5998/cb"]},
    ]


class App:
    """One app's OIDC client, with what a login attempt keeps between redirect and callback."""

    def __init__(self, broker, client_id="shop", secret=SHOP_SECRET, redirect_uri=REDIRECT, scope="openid email phone profile offline_access"):
        self.broker = broker
        self.discovery = httpx.get(broker.url + "/.well-known/openid-configuration").json()
        self.client = OAuth2Client(client_id, secret, scope=scope, redirect_uri=redirect_uri, code_challenge_method="S256",
                                   token_endpoint_auth_method="client_secret_basic" if secret else "none")
        self.verifier = generate_token(48)
        self.nonce = generate_token(20)
        self.state = None

    def authorization_url(self, **extra):
        url, self.state = self.client.create_authorization_url(self.discovery["authorization_endpoint"], code_verifier=self.verifier,
                                                                nonce=self.nonce, **extra)
        return url

    def finish(self, callback_url):
        """The app's callback: state checked, the code exchanged with the verifier, the id_token verified."""
        assert callback_url.startswith(self.client.redirect_uri), callback_url
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(callback_url).query))
        assert query.get("state") == self.state, query
        assert query.get("iss") == self.discovery["issuer"]
        token = self.client.fetch_token(self.discovery["token_endpoint"], authorization_response=callback_url, code_verifier=self.verifier)
        claims = self.verify(token["id_token"])
        assert claims["nonce"] == self.nonce
        return token, claims

    def verify(self, id_token):
        keys = KeySet.import_key_set(httpx.get(self.discovery["jwks_uri"]).json())
        decoded = jwt.decode(id_token, keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.discovery["issuer"]},
                              aud={"essential": True, "value": self.client.client_id}, exp={"essential": True},
                              sub={"essential": True}).validate(decoded.claims)
        return decoded.claims

    def userinfo(self, access_token):
        return httpx.get(self.discovery["userinfo_endpoint"], headers={"Authorization": "Bearer " + access_token})

    def token_request(self, **form):
        return httpx.post(self.discovery["token_endpoint"], data=form, auth=(self.client.client_id, self.client.client_secret or ""))


def csrf_of(page):
    return re.search(r'name="csrf" value="([\w-]+)"', page).group(1)


def location(headers):
    return headers.get("Location") or headers.get("location")


def follow_to_app(browser, broker, url, limit=6):
    """Follows the broker's redirects (never the app's) and returns the URL that leaves the broker."""
    for _ in range(limit):
        if not url.startswith(broker.url) and not url.startswith("/"):
            return url
        status, headers, body = browser.get(url if url.startswith("http") else broker.url + url, headers={"Accept": "text/html"})
        assert status in (302, 303), (status, body[:500])
        url = location(headers)
    raise AssertionError("too many redirects")
