"""The login cache: `token.json` in TM_HOME, private (0600), written atomically.

It holds spotipy's token info plus who logged in and when they consented, so offline commands know the user
and `tm whoami` can tell when the 6-month refresh token will die. No spotipy import here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from music_time_machine.models import User
from music_time_machine.private_files import private_folder, private_replacement

# Spotify refresh tokens last 6 months from the user's consent; refreshing does not extend them (June 2026).
REFRESH_TOKEN_LIFETIME = timedelta(days=182)


@dataclass
class TokenFile:
    path: Path

    def read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def token_info(self) -> dict[str, Any] | None:
        token = self.read().get("token")
        return token if isinstance(token, dict) and token.get("access_token") else None

    def save_token_info(self, token_info: dict[str, Any]) -> None:
        self._write({**self.read(), "token": token_info})

    def user(self) -> User | None:
        user = self.read().get("user")
        if not isinstance(user, dict) or not user.get("id"):
            return None
        return User(id=user["id"], display_name=user.get("display_name"), account_id=user.get("account_id"))

    def consented_at(self) -> str | None:
        return self.read().get("consented_at")

    def login_expires_at(self) -> datetime | None:
        """When the refresh token dies: 6 months after consent (None when tm never recorded the consent)."""
        consented = self.consented_at()
        return datetime.fromisoformat(consented.replace("Z", "+00:00")) + REFRESH_TOKEN_LIFETIME if consented else None

    def record_login(self, user: User, consented_at: str) -> None:
        user_fields = {"id": user.id, "display_name": user.display_name, "account_id": user.account_id}
        self._write({**self.read(), "user": user_fields, "consented_at": consented_at})

    def issued_by(self) -> dict[str, str]:
        """The Spotify endpoints this login belongs to; the token is never sent anywhere else."""
        issued_by = self.read().get("issued_by")
        return issued_by if isinstance(issued_by, dict) else {}

    def record_issuer(self, api_url: str, accounts_url: str) -> None:
        self._write({**self.read(), "issued_by": {"api_url": api_url, "accounts_url": accounts_url}})

    def parked(self, user_id: str) -> TokenFile:
        """Where `user_id`'s login waits while another listener's is the current one (TM_HOME/logins/)."""
        return TokenFile(self.path.parent / "logins" / f"{quote(user_id, safe='')}.json")

    def park(self) -> None:
        """Move this login aside, to `parked(its user)`, so that another listener can log in on this machine."""
        user = self.user()
        if user is not None:
            target = self.parked(user.id)
            private_folder(target.path.parent)
            self.move_to(target)

    def every_login(self) -> list[TokenFile]:
        """This login first, then each parked one: one per listener (for `--all-users`)."""
        parked = sorted((self.path.parent / "logins").glob("*.json"))
        return [login for login in (self, *map(TokenFile, parked)) if login.user() is not None]

    def move_to(self, target: TokenFile) -> None:
        """Atomically become `target` (a finished login replaces the old one in one step)."""
        os.replace(self.path, target.path)

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def _write(self, data: dict[str, Any]) -> None:
        """Through a fresh private temporary file, then rename: never world-readable, never half-written, and
        never into the file a planted symlink points to."""
        private_folder(self.path.parent)
        with private_replacement(self.path) as handle:
            json.dump(data, handle, indent=2)
