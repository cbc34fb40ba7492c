"""Several listeners on one machine and one database: each `tm login` keeps the others' logins, and
`--all-users` acts for every listener, where one listener's failure never stops the others."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import pytest

from conftest import Tm, login

TOP = "short_term"
HOUR_AGO = datetime(2025, 3, 15, 11, 0, tzinfo=UTC)  # the tests' clock is mid-March 2025, noon


@pytest.fixture
def household(logged_in: Tm) -> Tm:
    """fake-listener logged in first, then housemate (the current login now)."""
    logged_in.fake.add_user("housemate", "Housemate")
    logged_in.fake.login_as("housemate")
    login(logged_in)
    return logged_in


def _snapshot_owners(tm: Tm) -> list[tuple]:
    return tm.rows("SELECT user_id, count(*) FROM snapshots GROUP BY user_id ORDER BY user_id")


def test_a_second_login_parks_the_first_privately(household: Tm) -> None:
    parked = household.home / "logins" / "fake-listener.json"

    whoami = json.loads(household("whoami", "--json").stdout)

    assert whoami["id"] == "housemate"
    assert json.loads(parked.read_text())["user"]["id"] == "fake-listener"
    assert stat.S_IMODE(parked.stat().st_mode) == 0o600
    assert stat.S_IMODE(parked.parent.stat().st_mode) == 0o700


def test_logging_in_again_as_a_parked_listener_swaps_without_stale_copies(household: Tm) -> None:
    household.fake.login_as("fake-listener")

    login(household)

    assert household.tokens.user().id == "fake-listener"  # type: ignore[union-attr]  # a login was just made
    assert sorted(path.name for path in (household.home / "logins").iterdir()) == ["housemate.json"]


def test_snapshot_all_users_takes_each_listeners_own_charts(household: Tm) -> None:
    result = household("snapshot", "--all-users", "--json")

    assert result.exit_code == 0, result.output
    outcomes = json.loads(result.stdout)
    assert [(o["user"], o["ok"], o["created"]) for o in outcomes] == [
        ("housemate", True, True),
        ("fake-listener", True, True),
    ]
    assert _snapshot_owners(household) == [("fake-listener", 3), ("housemate", 3)]
    for user in ("fake-listener", "housemate"):
        stored = household.rows(
            "SELECT i.track_uri FROM snapshots s JOIN snapshot_items i ON i.snapshot_id = s.id "
            "WHERE s.user_id = ? AND s.time_range = ? ORDER BY i.rank",
            user,
            TOP,
        )
        assert [uri for (uri,) in stored] == [t["uri"] for t in household.fake.top_tracks(TOP, user_id=user)]


def test_one_expired_login_never_stops_the_others(logged_in: Tm) -> None:
    logged_in.fake.revoke_refresh_tokens()  # fake-listener's login dies (6 months after consent)
    logged_in.fake.add_user("housemate", "Housemate")
    logged_in.fake.login_as("housemate")
    login(logged_in)
    logged_in.fake.expire_access_tokens()  # both need a refresh now; only housemate's works

    result = logged_in("snapshot", "--all-users", "--json")

    assert result.exit_code == 1
    outcomes = {o["user"]: o for o in json.loads(result.stdout)}
    assert outcomes["housemate"]["ok"] is True
    assert outcomes["fake-listener"]["ok"] is False
    assert "6 months" in outcomes["fake-listener"]["error"]
    assert "(fake-listener):\n  failed: Your Spotify login expired" in result.stderr
    assert _snapshot_owners(logged_in) == [("housemate", 3)]
    assert not (logged_in.home / "logins" / "fake-listener.json").exists()  # the dead login is gone, as for one


def test_sync_all_users_goes_on_past_a_listener_spotify_no_longer_allows(household: Tm) -> None:
    household.fake.listen(until=HOUR_AGO, plays=5, user_id="fake-listener")
    household.fake.listen(until=HOUR_AGO, plays=7, user_id="housemate")
    household.fake.set_allow_listed("housemate", False)  # removed from the app's 5-user allow-list

    result = household("sync", "--all-users", "--json")

    assert result.exit_code == 1
    outcomes = {o["user"]: o for o in json.loads(result.stdout)}
    assert outcomes["fake-listener"]["ok"] is True
    assert outcomes["fake-listener"]["stored"] == 5
    assert outcomes["housemate"]["ok"] is False
    assert household.rows("SELECT user_id, count(*) FROM plays GROUP BY user_id") == [("fake-listener", 5)]


def test_all_users_with_nobody_logged_in_says_so(tm: Tm) -> None:
    result = tm("snapshot", "--all-users")

    assert result.exit_code != 0
    assert "not logged in" in result.stderr.lower()


def test_a_parked_listener_can_be_logged_out_by_id(household: Tm) -> None:
    result = household("logout", "--user", "fake-listener")

    assert result.exit_code == 0, result.output
    assert not (household.home / "logins" / "fake-listener.json").exists()
    assert [login.user().id for login in household.tokens.every_login()] == ["housemate"]  # type: ignore[union-attr]  # every_login keeps logins that know their user
