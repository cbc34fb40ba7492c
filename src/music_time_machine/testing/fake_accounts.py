"""The fake accounts service: ``GET /authorize`` and ``POST /api/token``.

Errors follow accounts.spotify.com: plain-text 400s on /authorize for a bad client or redirect URI,
OAuth-style ``{"error", "error_description"}`` 400s on /api/token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from urllib.parse import urlencode

from music_time_machine.testing.fake_core import (
    AccessToken,
    AuthCode,
    FakeState,
    OAuthError,
    RefreshToken,
    Request,
    Response,
    Route,
    json_response,
    route,
    text_response,
)

ACCESS_TOKEN_LIFETIME = 3600

TokenJson = dict[str, object]
Grant = Callable[[FakeState, dict[str, str], bool], TokenJson]


def authorize(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    """Validate the client and redirect URI, then auto-approve (or deny) for ``state.current_user``."""
    if req.arg("client_id") != state.client_id:
        return text_response(400, "INVALID_CLIENT: Invalid client")
    redirect_uri = req.arg("redirect_uri") or ""
    if redirect_uri not in state.redirect_uris:
        return text_response(400, "INVALID_CLIENT: Invalid redirect URI")
    params = _authorize_outcome(state, req, redirect_uri)
    client_state = req.arg("state")
    if client_state is not None:
        params["state"] = client_state
    separator = "&" if "?" in redirect_uri else "?"
    return Response(302, headers={"Location": f"{redirect_uri}{separator}{urlencode(params)}"})


def _authorize_outcome(state: FakeState, req: Request, redirect_uri: str) -> dict[str, str]:
    """The callback parameters: ``code`` on approval, else ``error``."""
    if req.arg("response_type") != "code":
        return {"error": "unsupported_response_type"}
    challenge = req.arg("code_challenge")
    if challenge is not None and req.arg("code_challenge_method") != "S256":
        return {"error": "invalid_request"}
    if state.deny_next_authorize:
        state.deny_next_authorize = False
        return {"error": "access_denied"}
    code = state.new_secret()
    scope = " ".join((req.arg("scope") or "").split())
    state.codes[code] = AuthCode(redirect_uri, scope, state.current_user, challenge)
    return {"code": code}


def token(state: FakeState, req: Request, _match: re.Match[str]) -> Response:
    """``POST /api/token`` for the authorization_code, refresh_token and client_credentials grants."""
    is_form = "application/x-www-form-urlencoded" in (req.header("Content-Type") or "")
    form = req.body if is_form and isinstance(req.body, dict) else {}
    grant = GRANTS.get(str(form.get("grant_type", "")))
    if grant is None:
        raise OAuthError("unsupported_grant_type", "grant_type parameter is missing or unsupported")
    confidential = _authenticate_client(state, req, form)
    return json_response(200, grant(state, form, confidential), {"Cache-Control": "no-store"})


def _authenticate_client(state: FakeState, req: Request, form: dict[str, str]) -> bool:
    """Check the client's credentials: True for Basic auth or a body secret, False for a PKCE client."""
    basic = _basic_credentials(req.header("Authorization"))
    client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
    if client_id != state.client_id:
        raise OAuthError("invalid_client", "Invalid client")
    if secret is None:
        return False
    if state.client_secret is None or secret != state.client_secret:
        raise OAuthError("invalid_client", "Invalid client")
    return True


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ").strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "Invalid client") from None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge for ``verifier``: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _authorization_code_grant(state: FakeState, form: dict[str, str], confidential: bool) -> TokenJson:
    code = state.codes.pop(form.get("code", ""), None)  # single use, even when the exchange fails
    if code is None:
        raise OAuthError("invalid_grant", "Invalid authorization code")
    if form.get("redirect_uri") != code.redirect_uri:
        raise OAuthError("invalid_grant", "Invalid redirect URI")
    if code.code_challenge is not None:
        verifier = form.get("code_verifier")
        if verifier is None or pkce_challenge(verifier) != code.code_challenge:
            raise OAuthError("invalid_grant", "code_verifier was incorrect")
    elif not confidential:
        raise OAuthError("invalid_request", "code_verifier required")
    refresh_token = state.new_secret()
    state.refresh_tokens[refresh_token] = RefreshToken(code.user_id, code.scope)
    return {**_issue_access_token(state, code.user_id, code.scope), "refresh_token": refresh_token}


def _refresh_token_grant(state: FakeState, form: dict[str, str], _confidential: bool) -> TokenJson:
    """A new access token only: Spotify may leave out ``refresh_token``, and the fake always does."""
    refresh = state.refresh_tokens.get(form.get("refresh_token", ""))
    if refresh is None:
        raise OAuthError("invalid_grant", "Invalid refresh token")
    if refresh.revoked is not None:
        raise OAuthError("invalid_grant", refresh.revoked)
    return _issue_access_token(state, refresh.user_id, refresh.scope)


def _client_credentials_grant(state: FakeState, _form: dict[str, str], confidential: bool) -> TokenJson:
    if not confidential:
        raise OAuthError("invalid_client", "Invalid client")
    response = _issue_access_token(state, None, "")
    del response["scope"]
    return response


def _issue_access_token(state: FakeState, user_id: str | None, scope: str) -> TokenJson:
    access_token = state.new_secret()
    state.access_tokens[access_token] = AccessToken(user_id, scope)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": ACCESS_TOKEN_LIFETIME,
    }


GRANTS: dict[str, Grant] = {
    "authorization_code": _authorization_code_grant,
    "refresh_token": _refresh_token_grant,
    "client_credentials": _client_credentials_grant,
}

ACCOUNTS_ROUTES: list[Route] = [
    route("GET", r"/authorize", authorize),
    route("POST", r"/api/token", token),
]
