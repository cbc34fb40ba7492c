"""tm demo: the whole thing offline, against the built-in fake Spotify, through the real code paths: months of
snapshots and synced plays, then the years before them from a privacy export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from music_time_machine.context import Context
from music_time_machine.models import Gem, Month, TimeRange, User
from music_time_machine.privacy_export.files import open_export
from music_time_machine.services.gems import todays_gems
from music_time_machine.services.importer import import_history
from music_time_machine.services.playlists import sync_managed_playlist
from music_time_machine.services.report import Report, listening_report
from music_time_machine.services.snapshot import take_snapshot
from music_time_machine.services.sync import sync_recent_plays
from music_time_machine.services.wrapped import Wrapped, year_in_review
from music_time_machine.store import Store
from music_time_machine.testing.demo_export import write_demo_export
from music_time_machine.testing.export_generator import ExportTruth

if TYPE_CHECKING:
    from music_time_machine.spotify.client import SpotifyClient
    from music_time_machine.testing.fake_catalog import Catalog

DEMO_CLIENT_ID = "tm-demo-client"
PLAYS_PER_MONTH = 45  # synced once a month: under Spotify's 50-play window, so nothing is missed
Progress = Callable[[Sequence[tuple[Month, datetime]], str], Iterable[tuple[Month, datetime]]]


@dataclass(frozen=True)
class Demo:
    database: str
    user: User
    first: Month
    last: Month
    gems: list[Gem]
    export: Path  # the privacy export written for the listener's years before the snapshots, and imported
    export_truth: ExportTruth  # what it holds
    wrapped: Wrapped  # the last whole year
    report: Report  # everything
    plays_per_month: int = PLAYS_PER_MONTH

    @property
    def months(self) -> int:
        return self.last.index - self.first.index + 1

    @property
    def export_months(self) -> tuple[Month, Month]:
        """The first and last month of the export's plays."""
        return Month.parse(self.export_truth.first_played_at[:7]), Month.parse(self.export_truth.last_played_at[:7])


def _moments(now: datetime, months: int) -> list[tuple[Month, datetime]]:
    """Mid-month in each simulated month; the last one is now, so today's snapshot exists afterwards."""
    current = Month.of(now)
    earlier = [current.shift(-back) for back in range(months - 1, 0, -1)]
    return [(m, m.start + timedelta(days=14, hours=12)) for m in earlier] + [(current, now)]


def _import_years_before(
    store: Store, user: User, catalog: Catalog, home: Path, first_snapshot: datetime, now: datetime
) -> tuple[Path, ExportTruth]:
    """Write the listener's privacy export of the years up to the day before the first snapshot into
    HOME/demo-export and import it as `tm import HOME/demo-export` does. It comes after the monthly syncs, as a
    real export arrives after you start: a sync fetches only plays newer than the newest one stored."""
    directory = home / "demo-export"
    truth = write_demo_export(directory, catalog, user.id, until=first_snapshot - timedelta(days=1))
    with open_export([directory]) as files:
        import_history(store, user, files, now)  # a second demo finds its files imported
    return directory, truth


def _gems_playlist(store: Store, client: SpotifyClient, user: User, now: datetime) -> list[Gem]:
    """Today's gems, kept in the Forgotten Gems playlist on the fake."""
    found = todays_gems(store, client, user, now)
    sync_managed_playlist(
        store,
        client,
        user,
        source="gems",
        name="Forgotten Gems",
        description="Songs you loved and stopped playing",
        tracks=[gem.track for gem in found],
        now=now,
    )
    return found


def run_demo(env: Context, months: int, database: Path | str | None, zone: ZoneInfo, progress: Progress) -> Demo:
    """Start the fake on 127.0.0.1, log in against it, and for each simulated month listen a little, sync the
    recent plays and take a snapshot, into the demo's own database; then write and import a privacy export of the
    years before the first snapshot, build the Forgotten Gems playlist, and review last year and everything (days
    and hours on `zone`'s clock)."""
    from music_time_machine.auth import run_login
    from music_time_machine.testing.browser import follow, free_port
    from music_time_machine.testing.fake_spotify import FakeSpotify

    moments = _moments(env.now(), months)
    redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
    with FakeSpotify(
        client_id=DEMO_CLIENT_ID, client_secret=None, redirect_uris=(redirect_uri,), month=str(moments[0][0])
    ) as fake:
        demo = env.with_settings(
            env.settings.for_demo(fake.api_url, fake.accounts_url, DEMO_CLIENT_ID, None, redirect_uri, database)
        )
        demo.settings.ensure_home()
        user = run_login(
            demo.settings,
            demo.tokens,
            show_url=lambda url: None,
            open_url=follow,
            timeout=30,
            clock=demo.now,
            identify=demo.identify,
        )
        client, store = demo.spotify(), demo.store()
        for month, moment in progress(moments, "Listening, syncing and snapshotting months"):
            fake.month = str(month)
            fake.listen(until=moment - timedelta(hours=1), plays=PLAYS_PER_MONTH)
            sync_recent_plays(store, client, user, moment)
            take_snapshot(store, client, user, moment, list(TimeRange))
        home, first_snapshot = demo.settings.home, moments[0][1]
        export, export_truth = _import_years_before(store, user, fake.catalog, home, first_snapshot, demo.now())
        found = _gems_playlist(store, client, user, demo.now())
    now = demo.now()
    wrapped = year_in_review(store, user.id, now.year - 1, zone)
    report = listening_report(store, user, zone, None, None, None, now)
    return Demo(store.location, user, moments[0][0], moments[-1][0], found, export, export_truth, wrapped, report)
