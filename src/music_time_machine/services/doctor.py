"""tm doctor: every check as pass / warn / fail, with what to do about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from music_time_machine.config import Settings, parse_redirect_uri
from music_time_machine.errors import TmError
from music_time_machine.models import User
from music_time_machine.store import Store, open_store
from music_time_machine.store.schema import MIGRATIONS
from music_time_machine.tokens import TokenFile

EXPIRY_WARNING = timedelta(days=14)
SNAPSHOT_WARNING = timedelta(days=35)
REQUIRED_SCOPES = {
    "user-top-read",
    "user-read-recently-played",
    "playlist-read-private",
    "playlist-modify-private",
    "playlist-modify-public",
}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # pass | warn | fail
    detail: str
    fix: str | None = None


def mask(value: str) -> str:
    return value[:4] + "…" + value[-2:] if len(value) > 8 else "…"


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


# Offline, a listener with only their privacy export needs no app and no login: what is missing is then a warning.
WITHOUT_SPOTIFY = "only what talks to Spotify (snapshot, sync, playlists) needs it; your imported plays do not"


def config_checks(settings: Settings, *, offline: bool = False) -> list[Check]:
    checks = [
        Check("client id", "pass", mask(settings.client_id))
        if settings.client_id
        else Check(
            "client id",
            "warn" if offline else "fail",
            f"SPOTIPY_CLIENT_ID is not set: {WITHOUT_SPOTIFY}" if offline else "SPOTIPY_CLIENT_ID is not set",
            "Put your app's client id in .env",
        ),
        Check(
            "client secret",
            "pass",
            "set (authorization code flow)"
            if settings.client_secret
            else "not set: tm login uses PKCE (tm playlists USER needs the secret)",
        ),
    ]
    try:
        target = parse_redirect_uri(settings.redirect_uri)
        checks.append(
            Check("redirect URI", "pass", f"{settings.redirect_uri} (tm listens on {target.host}:{target.port})")
        )
    except TmError as error:
        checks.append(Check("redirect URI", "fail", error.message, error.hint))
    from importlib.metadata import PackageNotFoundError, version  # 20 ms to import: only when doctor runs

    try:
        spotipy_version = version("spotipy")
        ok = _version_tuple(spotipy_version) >= (2, 26, 0)
        checks.append(
            Check(
                "spotipy",
                "pass" if ok else "fail",
                spotipy_version,
                None if ok else "pip install --upgrade 'spotipy>=2.26.0'",
            )
        )
    except PackageNotFoundError:
        checks.append(Check("spotipy", "fail", "not installed", "pip install 'spotipy>=2.26.0'"))
    return checks


def login_checks(tokens: TokenFile, now: datetime, *, offline: bool = False) -> list[Check]:
    token = tokens.token_info()
    if token is None and offline:
        return [Check("login", "warn", f"not logged in: {WITHOUT_SPOTIFY}", "Run `tm login`.")]
    if token is None:
        return [Check("login", "fail", "not logged in", "Run `tm login`.")]
    user = tokens.user()
    checks = [Check("login", "pass", f"as {user.label}" if user else "token present")]
    granted = set(str(token.get("scope") or "").split())
    missing = REQUIRED_SCOPES - granted
    checks.append(
        Check("scopes", "warn", f"missing: {', '.join(sorted(missing))}", "Run `tm login` again.")
        if missing
        else Check("scopes", "pass", "all granted")
    )
    expires = tokens.login_expires_at()
    if expires:
        left = expires - now
        status = "fail" if left.total_seconds() <= 0 else "warn" if left < EXPIRY_WARNING else "pass"
        checks.append(
            Check(
                "login expiry",
                status,
                f"{max(left.days, 0)} days left (refresh tokens last 6 months)",
                None if status == "pass" else "Run `tm login` to start a new 6 months.",
            )
        )
    return checks


def api_check(me: Callable[[], User]) -> Check:
    try:
        user = me()
    except TmError as error:
        return Check("Spotify API", "fail", error.message, error.hint)
    return Check("Spotify API", "pass", f"reachable; {user.label} is allowed to use this app")


def database_checks(open_store: Callable[[], Store], user: User | None, now: datetime) -> list[Check]:
    try:
        store = open_store()
    except TmError as error:
        return [Check("database", "fail", error.message, error.hint)]
    try:
        return _store_checks(store, user, now)
    except TmError as error:
        return [Check("database", "fail", error.message, error.hint)]
    finally:
        store.close()


def _store_checks(store: Store, user: User | None, now: datetime) -> list[Check]:
    integrity = store.integrity()
    checks = [
        Check(
            "database",
            "pass" if integrity == "ok" else "fail",
            f"{store.location}: integrity {integrity}",
            None if integrity == "ok" else "Restore a backup; tm never edits a damaged file.",
        ),
        Check("schema", "pass", f"version {store.schema_version()} of {len(MIGRATIONS)}"),
    ]
    if user is None:
        return checks
    months = store.snapshots.months(user.id)
    latest = store.snapshots.latest_at(user.id)
    if latest is None:
        checks.append(Check("last snapshot", "warn", "none yet", "Run `tm snapshot` (monthly: see `tm schedule`)."))
    else:
        age = now - datetime.fromisoformat(latest.replace("Z", "+00:00"))
        stale = age > SNAPSHOT_WARNING
        checks.append(
            Check(
                "last snapshot",
                "warn" if stale else "pass",
                f"{latest} ({age.days} days ago; {len(months)} months with snapshots)",
                "Run `tm snapshot`; `tm schedule` runs it monthly." if stale else None,
            )
        )
    last_play = store.plays.latest_at(user.id)
    checks.append(
        Check(
            "plays",
            "pass" if last_play else "warn",
            f"latest {last_play}" if last_play else "none yet",
            None if last_play else "Run `tm import` with your privacy export, and `tm sync` hourly.",
        )
    )
    return checks


@dataclass(frozen=True)
class Diagnosis:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return not any(check.status == "fail" for check in self.checks)


def diagnose(settings: Settings, tokens: TokenFile, now: datetime, me: Callable[[], User] | None) -> Diagnosis:
    """Every check in order: setup, login, Spotify (when `me` can ask it and there is a login), the database.
    Without `me` (offline) a missing app or login is a warning: the export's plays need neither."""
    offline = me is None
    checks = config_checks(settings, offline=offline) + login_checks(tokens, now, offline=offline)
    if me is not None and tokens.token_info() is not None and settings.client_id:
        checks.append(api_check(me))
    checks += database_checks(
        lambda: open_store(settings.database, busy_timeout=settings.busy_timeout), tokens.user(), now
    )
    return Diagnosis(checks)
