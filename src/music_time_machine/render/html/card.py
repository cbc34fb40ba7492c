"""tm wrapped's share card: the year on one 1080 x 1920 page (a phone story's size), which the CLI has a browser
draw to PNG (render only builds the page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.render.html import svg
from music_time_machine.render.html.charts import HOURS, WEEKDAYS, plural
from music_time_machine.render.html.page import html_document, text

if TYPE_CHECKING:
    from music_time_machine.services.wrapped import Entry, Wrapped

WIDTH, HEIGHT = 1080, 1920
SHOWN = 5  # tracks and artists on the card
CLOCK_ABOUT = "Minutes in each hour of each weekday; stronger colour is more."

STYLE = f"""
* {{ box-sizing: border-box; margin: 0; }}
html, body {{ width: {WIDTH}px; height: {HEIGHT}px; overflow: hidden; }}
body {{ padding: 90px 80px; color: #f4f4f6; font: 34px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  background: linear-gradient(160deg, #0b3d2e 0%, #121214 55%, #2b1846 100%); }}
h1 {{ font-size: 150px; line-height: 1; letter-spacing: -4px; }} h1 small {{ display: block; font-size: 44px;
  letter-spacing: 0; color: #9ee6b8; margin-bottom: 12px; }}
.big {{ display: flex; gap: 48px; margin: 60px 0; }} .big b {{ display: block; font-size: 68px; line-height: 1.05; }}
.big span {{ color: #b9bcc4; }}
h2 {{ font-size: 38px; color: #9ee6b8; margin: 44px 0 14px; text-transform: uppercase; letter-spacing: 3px; }}
ol {{ padding-left: 1.4em; }} ol li {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
ol li span {{ color: #b9bcc4; }}
svg {{ margin-top: 16px; font: 12px system-ui, sans-serif; }} svg text {{ fill: #b9bcc4; }}
.h0 {{ --c: #26262b; }} .h1 {{ --c: #0e4429; }} .h2 {{ --c: #006d32; }} .h3 {{ --c: #26a641; }}
.h4 {{ --c: #39d353; }} .cell {{ fill: var(--c); }} .about {{ color: #b9bcc4; font-size: 28px; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 10px 28px; margin: 14px 0 0; padding: 0; list-style: none;
  color: #b9bcc4; font-size: 24px; }} .legend li {{ white-space: nowrap; }} .legend i {{ display: inline-block;
  width: 24px; height: 24px; margin-right: 8px; border-radius: 4px; background: var(--c); vertical-align: -3px; }}
footer {{ position: absolute; bottom: 70px; color: #8a8d96; font-size: 26px; }}
"""


def _listed(entries: list[Entry], with_artist: bool) -> str:
    def shown(entry: Entry) -> str:
        by = f" <span>· {text(entry.artist)}</span>" if with_artist else ""
        return f"<li>{text(entry.name)}{by}</li>"

    return "<ol>" + "".join(shown(entry) for entry in entries[:SHOWN]) + "</ol>"


def card_page(wrapped: Wrapped) -> str:
    """The card: the year's minutes and plays, top tracks and artists, the longest streak and the clock."""
    numbers = [
        (f"{wrapped.totals.minutes:,}", "minutes"),
        (f"{wrapped.totals.plays:,}", "full plays"),
        (f"{wrapped.streak.days:,}", "days in a row"),
    ]
    big = "".join(f"<div><b>{text(value)}</b><span>{text(what)}</span></div>" for value, what in numbers)
    clock = svg.heat_grid(
        [day[:3] for day in WEEKDAYS],
        [hour if int(hour) % 6 == 0 else "" for hour in HOURS],
        wrapped.clock_minutes,
        lambda day, hour: f"{WEEKDAYS[day]} {hour:02d}:00: {plural(wrapped.clock_minutes[day][hour], 'minute')}",
        scale=1.5,
    )
    body = (
        f"<h1><small>My year in music</small>{wrapped.year}</h1><div class=big>{big}</div>"
        f"<h2>Top tracks</h2>{_listed(wrapped.top_tracks, True)}"
        f"<h2>Top artists</h2>{_listed(wrapped.top_artists, False)}"
        f'<h2 id="clock-title">When I listen</h2><p class="about" id="clock-about">{CLOCK_ABOUT}</p>'
        f"{clock.html('clock')}"
        f"<footer>tm, the Music Time Machine · {text(wrapped.tz)}</footer>"
    )
    return html_document(f"My {wrapped.year} in music", STYLE, body)
