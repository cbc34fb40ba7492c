"""tm demo: the whole thing offline, against the built-in fake Spotify, through the real code paths."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer

from music_time_machine import render
from music_time_machine.cli.state import CommandEnv, DbOption
from music_time_machine.config import database_of
from music_time_machine.models import Month, TimeRange, User
from music_time_machine.services.gems import todays_gems
from music_time_machine.services.playlists import sync_managed_playlist
from music_time_machine.services.snapshot import take_snapshot
from music_time_machine.services.sync import sync_recent_plays
from music_time_machine.store import Store

DEMO_CLIENT_ID = "tm-demo-client"
PLAYS_PER_MONTH = 45  # synced once a month: under Spotify's 50-play window, so nothing is missed


def _moments(now: datetime, months: int) -> list[tuple[Month, datetime]]:
    """Mid-month in each simulated month; the last one is now, so today's snapshot exists afterwards."""
    current = Month.of(now)
    earlier = [current.shift(-back) for back in range(months - 1, 0, -1)]
    return [(m, m.start + timedelta(days=14, hours=12)) for m in earlier] + [(current, now)]


def _next_steps(store: Store, user: User, first: Month, last: Month, gem_count: int) -> None:
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    db = store.location
    render.message(
        f"\nDemo ready: {db}\n"
        f"  listener {user.label}, snapshots {first} … {last}, {gem_count} forgotten gems "
        f"(playlist created on the fake Spotify), {PLAYS_PER_MONTH} synced plays a month.\n\nTry next (all offline):\n"
        f"  tm history --month {first.shift(min(3, months - 1))} --db {db}\n"
        f"  tm history --month {last} --range long --db {db}\n"
        f"  tm gems --db {db}\n"
        f"  tm gems --from-history --db {db}\n"
        f"  tm rank-vs-plays --range medium --db {db}\n"
        f"  tm on-this-day --years 1 --days 15 --db {db}\n"
        f"  tm history --month {last} --json --db {db} | head -20\n"
    )


def demo(
    ctx: typer.Context,
    months: Annotated[int, typer.Option(min=1, max=120, help="How many monthly snapshots to simulate.")] = 18,
    db: DbOption = None,
) -> None:
    """Try tm without a Spotify account: a built-in fake Spotify, 18 months of snapshots and plays, a gems playlist.

    Starts the fake on 127.0.0.1, logs in against it, and for each simulated month listens a little,
    syncs the recent plays and takes a snapshot, into
    a separate demo database ($TM_HOME/demo.sqlite3 unless --db), builds the Forgotten Gems
    playlist, and prints commands to explore the result.

    Examples:

        tm demo

        tm demo --months 36 --db /tmp/demo.sqlite3
    """
    from music_time_machine.auth import run_login
    from music_time_machine.spotify.client import SpotifyClient
    from music_time_machine.store import open_store
    from music_time_machine.testing.browser import follow, free_port
    from music_time_machine.testing.fake_spotify import FakeSpotify
    from music_time_machine.tokens import TokenFile

    env = CommandEnv(ctx, db)
    moments = _moments(env.now(), months)
    redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
    wait = render.countdown_waiter(env.runtime.sleep)
    with FakeSpotify(
        client_id=DEMO_CLIENT_ID, client_secret=None, redirect_uris=(redirect_uri,), month=str(moments[0][0])
    ) as fake:
        settings = env.settings.for_demo(
            fake.api_url, fake.accounts_url, DEMO_CLIENT_ID, None, redirect_uri, database_of(db) if db else None
        )
        settings.ensure_home()
        tokens = TokenFile(settings.token_path)
        user = run_login(
            settings, tokens, show_url=lambda url: None, open_url=follow, timeout=30, clock=env.now, wait=wait
        )
        render.message(f"Logged in to the fake Spotify as {user.label}.")
        client = SpotifyClient(settings, tokens, wait=wait, clock=env.now)
        store = open_store(settings.database)
        for month, moment in render.with_progress(moments, "Listening, syncing and snapshotting months"):
            fake.month = str(month)
            fake.listen(until=moment - timedelta(hours=1), plays=PLAYS_PER_MONTH)
            sync_recent_plays(store, client, user, moment)
            take_snapshot(store, client, user, moment, list(TimeRange))
        found = todays_gems(store, client, user, env.now())
        sync_managed_playlist(
            store,
            client,
            user,
            kind="gems",
            name="Forgotten Gems",
            description="Songs you loved and stopped playing",
            tracks=[gem.track for gem in found],
            now=env.now(),
        )
    render.gems_table(found[:10])
    _next_steps(store, user, moments[0][0], moments[-1][0], len(found))


def register(app: typer.Typer) -> None:
    app.command()(demo)
