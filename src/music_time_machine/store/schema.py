"""The schema as an append-only list of migrations, one list for both databases; the schema version is how
many have run (SQLite: `PRAGMA user_version`, PostgreSQL: the `tm_schema` table).

Never edit a migration that has shipped: add a new one. Catalogue rows (tracks, artists) are shared facts;
every row that belongs to a listener (users, snapshots, managed playlists) is keyed by the Spotify user id.
The few words the two databases spell differently are {placeholders}, filled in by each backend's DIALECT.
{text} matters most: on PostgreSQL it is TEXT COLLATE "C", so that sorting, min() and lower() (ASCII only, as
in SQLite) give the same answers on both, whatever the server's locale.
"""

from collections.abc import Mapping

MIGRATIONS: list[str] = [
    # 1: users, catalogue, snapshots, managed playlists
    """
    CREATE TABLE users (
        id            {text} PRIMARY KEY,            -- Spotify user id
        display_name  {text},
        account_id    {text},                        -- Spotify's stable pseudonymous id (2026)
        first_seen_at {text} NOT NULL,
        last_seen_at  {text} NOT NULL
    );
    CREATE TABLE artists (
        uri  {text} PRIMARY KEY,                     -- spotify:artist:…
        name {text} NOT NULL
    );
    CREATE TABLE tracks (
        uri         {text} PRIMARY KEY,              -- spotify:track:…
        name        {text} NOT NULL,
        album_uri   {text},
        album_name  {text},
        duration_ms INTEGER,
        isrc        {text},
        raw_json    {json},                        -- the track object as Spotify last sent it
        updated_at  {text} NOT NULL
    );
    CREATE TABLE track_artists (
        track_uri  {text} NOT NULL REFERENCES tracks(uri) ON DELETE CASCADE,
        position   INTEGER NOT NULL,               -- 0 = main artist, in Spotify's order
        artist_uri {text} NOT NULL REFERENCES artists(uri),
        PRIMARY KEY (track_uri, position)
    );
    CREATE INDEX track_artists_by_artist ON track_artists(artist_uri);
    CREATE TABLE snapshots (
        id         {serial},
        user_id    {text} NOT NULL REFERENCES users(id),
        time_range {text} NOT NULL CHECK (time_range IN ('short_term', 'medium_term', 'long_term')),
        taken_at   {text} NOT NULL,                  -- UTC, 2025-03-15T12:00:00Z
        taken_on   {text} NOT NULL,                  -- UTC day: one snapshot per user, day and range
        UNIQUE (user_id, taken_on, time_range)
    );
    CREATE INDEX snapshots_by_user_time ON snapshots(user_id, taken_at);
    CREATE TABLE snapshot_items (
        snapshot_id {reference} NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        rank        INTEGER NOT NULL CHECK (rank >= 1),
        track_uri   {text} NOT NULL REFERENCES tracks(uri),
        PRIMARY KEY (snapshot_id, rank)
    );
    CREATE INDEX snapshot_items_by_track ON snapshot_items(track_uri);
    CREATE TABLE managed_playlists (
        user_id     {text} NOT NULL REFERENCES users(id),
        kind        {text} NOT NULL,                 -- which source owns it: gems, top-short_term, …
        playlist_id {text} NOT NULL,
        name        {text} NOT NULL,
        track_count INTEGER NOT NULL,
        created_at  {text} NOT NULL,
        updated_at  {text} NOT NULL,
        PRIMARY KEY (user_id, kind)
    );
    """,
    # 2: listening history (privacy-export imports and recently-played syncs)
    """
    CREATE TABLE play_sources (
        id            {serial},
        user_id       {text} NOT NULL REFERENCES users(id),
        kind          {text} NOT NULL,               -- extended | account | recently-played (7: | listenbrainz |
                                                     -- lastfm | lastfm-csv)
        name          {text} NOT NULL,               -- the export's file name, or recently-played
        sha256        {text},                        -- content of an imported file: the same file never imports twice
        imported_at   {text} NOT NULL,
        rows_read     INTEGER NOT NULL DEFAULT 0,
        plays_stored  INTEGER NOT NULL DEFAULT 0,
        UNIQUE (user_id, sha256)
    );
    CREATE TABLE plays (
        id           {serial},
        user_id      {text} NOT NULL REFERENCES users(id),
        played_at    {text} NOT NULL,                -- UTC end of the play (account data: minute precision)
        track_uri    {text},                         -- NULL where the source has none (account data)
        track_name   {text} NOT NULL,
        artist_name  {text} NOT NULL,
        album_name   {text},
        ms_played    INTEGER NOT NULL,
        skipped      INTEGER,                      -- 1 / 0 / NULL when the source does not say
        reason_start {text},
        reason_end   {text},
        shuffle      INTEGER,
        offline      INTEGER,
        source_id    {reference} NOT NULL REFERENCES play_sources(id)
    );
    -- The dedupe rule: one play per user, artist, title and UTC minute of the play's end.
    CREATE UNIQUE INDEX plays_dedupe
        ON plays(user_id, substr(played_at, 1, 16), lower(artist_name), lower(track_name));
    CREATE INDEX plays_by_user_time ON plays(user_id, played_at);
    """,
    # 3: ban/pin rules for generated playlists, and views for people who open the database themselves
    """
    CREATE TABLE track_rules (
        user_id    {text} NOT NULL REFERENCES users(id),
        track_uri  {text} NOT NULL,
        rule       {text} NOT NULL CHECK (rule IN ('ban', 'pin')),
        source     {text} NOT NULL DEFAULT '*',      -- a pin belongs to one source; a ban to all ('*')
        created_at {text} NOT NULL,
        PRIMARY KEY (user_id, track_uri, rule, source)
    );
    -- One row per chart position: who, which range, when, which rank, which track (with names).
    CREATE VIEW v_snapshot_ranks AS
        SELECT s.user_id, s.time_range, s.taken_at, substr(s.taken_at, 1, 7) AS month, i.rank,
               t.uri AS track_uri, t.name AS track, t.album_name AS album,
               {artist_names} AS artists
        FROM snapshots s JOIN snapshot_items i ON i.snapshot_id = s.id JOIN tracks t ON t.uri = i.track_uri;
    -- The latest chart of each month and range.
    CREATE VIEW v_monthly_top AS
        SELECT r.* FROM v_snapshot_ranks r
        WHERE r.taken_at = (SELECT max(s2.taken_at) FROM snapshots s2 WHERE s2.user_id = r.user_id
                            AND s2.time_range = r.time_range AND substr(s2.taken_at, 1, 7) = r.month);
    """,
    # 4: charts from plays. Per listener, month (UTC) and track: the sums that charts are ranked by, kept by every
    # write to `plays` in the same transaction; the charts themselves (top 50 per month and range) are derived from
    # them when first read, and again after the plays they count change (play_charts_stale).
    """
    CREATE TABLE play_months (
        user_id      {text} NOT NULL REFERENCES users(id),
        month        {text} NOT NULL,                -- YYYY-MM of played_at
        track_uri    {text},                         -- NULL: plays without a URI (account data)
        artist_key   {text} NOT NULL,                -- lower(artist_name)
        title_key    {text} NOT NULL,                -- lower(track_name)
        track_name   {text} NOT NULL,                -- the smallest spelling among the plays
        artist_name  {text} NOT NULL,
        album_name   {text},
        plays        BIGINT NOT NULL,                -- full plays: at least 30 s and not skipped
        skips        BIGINT NOT NULL,
        ms_played    BIGINT NOT NULL,
        full_ms      BIGINT NOT NULL,                -- ms of the full plays
        last_full_at {text}                          -- the latest full play; NULL: none
    );
    CREATE UNIQUE INDEX play_months_key
        ON play_months(user_id, month, coalesce(track_uri, ''), artist_key, title_key);
    CREATE INDEX play_months_by_name ON play_months(user_id, artist_key, title_key, track_uri);
    CREATE INDEX play_months_without_uri ON play_months(user_id, artist_key, title_key) WHERE track_uri IS NULL;
    INSERT INTO play_months
        SELECT user_id, substr(played_at, 1, 7), track_uri, lower(artist_name), lower(track_name),
               min(track_name), min(artist_name), max(album_name),
               sum(CASE WHEN ms_played >= 30000 AND coalesce(skipped, 0) = 0 THEN 1 ELSE 0 END),
               sum(CASE WHEN ms_played >= 30000 AND coalesce(skipped, 0) = 0 THEN 0 ELSE 1 END),
               sum(ms_played),
               sum(CASE WHEN ms_played >= 30000 AND coalesce(skipped, 0) = 0 THEN ms_played ELSE 0 END),
               max(CASE WHEN ms_played >= 30000 AND coalesce(skipped, 0) = 0 THEN played_at END)
        FROM plays GROUP BY user_id, substr(played_at, 1, 7), track_uri, lower(artist_name), lower(track_name);
    CREATE TABLE play_charts (
        user_id      {text} NOT NULL REFERENCES users(id),
        time_range   {text} NOT NULL,
        month        {text} NOT NULL,
        rank         INTEGER NOT NULL CHECK (rank >= 1),
        track_uri    {text},                         -- NULL: known only by artist and title
        track_name   {text} NOT NULL,
        artist_name  {text} NOT NULL,
        album_name   {text},
        plays        BIGINT NOT NULL,
        full_ms      BIGINT NOT NULL,
        last_full_at {text} NOT NULL,
        PRIMARY KEY (user_id, time_range, month, rank)
    );
    -- Charts to compute again before they are read: their window counts plays that changed.
    CREATE TABLE play_charts_stale (
        user_id    {text} NOT NULL REFERENCES users(id),
        time_range {text} NOT NULL,
        month      {text} NOT NULL,
        PRIMARY KEY (user_id, time_range, month)
    );
    -- Every chart that counts a month with plays: that month and the 0 (short), 6 (medium) or 11 (long) after it.
    WITH offsets(k) AS (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11)),
         reach(time_range, months) AS (VALUES ('short_term', 1), ('medium_term', 7), ('long_term', 12)),
         played AS (SELECT DISTINCT user_id,
                    CAST(substr(month, 1, 4) AS INTEGER) * 12 + CAST(substr(month, 6, 2) AS INTEGER) - 1 AS n
                    FROM play_months)
    INSERT INTO play_charts_stale (user_id, time_range, month)
        SELECT DISTINCT p.user_id, r.time_range, CAST((p.n + o.k) / 12 AS TEXT) || '-'
               || CASE WHEN (p.n + o.k) % 12 < 9 THEN '0' ELSE '' END || CAST((p.n + o.k) % 12 + 1 AS TEXT)
        FROM played p, reach r, offsets o WHERE o.k < r.months;
    """,
    # 5: synced plays by source and time, so that sync finds its cursor among them alone (it read every imported
    # play of the listener when no synced one was left: 0.8-2.3 s a sync for a million). Partial, so that imports
    # pay next to nothing for it: a synced play always has a track URI and never an end reason (the API says
    # nothing of reasons), while an account-data row has no URI and an extended one nearly always a reason.
    """
    CREATE INDEX plays_synced_by_time ON plays(source_id, played_at) WHERE track_uri IS NOT NULL AND reason_end IS NULL;
    """,
    # 6: tm report's sums, kept like play_months by every write to `plays`: per listener, UTC hour and quarter of it,
    # the plays that ended in it (every real zone's offset is whole quarter-hours, so each falls in one hour of any
    # clock); per listener, UTC month and artist, the ms played. Times as text, as an older tm stored them.
    """
    CREATE TABLE play_quarters (
        user_id   {text} NOT NULL REFERENCES users(id),
        hour      {text} NOT NULL,                   -- YYYY-MM-DDTHH of played_at
        quarter   INTEGER NOT NULL,                  -- of the hour: 0 (minutes 00-14), 1, 2 or 3 (45-59)
        ms_played BIGINT NOT NULL,                   -- every stored play's, skips included, each at most a day
        plays     BIGINT NOT NULL,                   -- full plays
        stored    BIGINT NOT NULL,                   -- every stored play
        PRIMARY KEY (user_id, hour, quarter)
    ) {keyed};
    INSERT INTO play_quarters
        SELECT user_id, substr(played_at, 1, 13), CASE WHEN substr(played_at, 15, 2) < '15' THEN 0
                   WHEN substr(played_at, 15, 2) < '30' THEN 1 WHEN substr(played_at, 15, 2) < '45' THEN 2 ELSE 3 END,
               sum(CASE WHEN ms_played > 86400000 THEN 86400000 WHEN ms_played < 0 THEN 0 ELSE ms_played END),
               sum(CASE WHEN ms_played >= 30000 AND coalesce(skipped, 0) = 0 THEN 1 ELSE 0 END),
               count(*)
        FROM plays GROUP BY 1, 2, 3;
    CREATE TABLE artist_months (
        user_id     {text} NOT NULL REFERENCES users(id),
        month       {text} NOT NULL,                 -- YYYY-MM of played_at
        artist_key  {text} NOT NULL,                 -- lower(artist_name)
        artist_name {text} NOT NULL,                 -- the smallest spelling among the plays
        ms_played   BIGINT NOT NULL,                 -- every stored play's, skips included, each at most a day
        PRIMARY KEY (user_id, month, artist_key)
    ) {keyed};
    INSERT INTO artist_months
        SELECT user_id, substr(played_at, 1, 7), lower(artist_name), min(artist_name),
               sum(CASE WHEN ms_played > 86400000 THEN 86400000 WHEN ms_played < 0 THEN 0 ELSE ms_played END)
        FROM plays GROUP BY 1, 2, 3;
    """,
    # 7: one ledger of where every play came from. Scrobbles (ListenBrainz, Last.fm) stamp when a play started,
    # Spotify when it ended: `stamped` says which the source gave; `plays.played_at` is always the end (a scrobble's
    # start plus its length, converted once at import). `recognised`: rows of the source found to be a play already
    # known (from a richer source, or seen before), counted from this version on. `resume_after`: where an import
    # from an API continues (Last.fm: the start of the newest scrobble it has stored).
    """
    ALTER TABLE play_sources ADD COLUMN stamped {text} NOT NULL DEFAULT 'end' CHECK (stamped IN ('end', 'start'));
    ALTER TABLE play_sources ADD COLUMN recognised BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE play_sources ADD COLUMN resume_after {text};
    """,
]


def migrations_for(dialect: Mapping[str, str]) -> list[str]:
    """The migrations in one database's words."""
    return [script.format_map(dialect) for script in MIGRATIONS]
