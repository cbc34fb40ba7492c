"""tm doctor: the setup checked, as a table for people and JSON for programs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_time_machine.render.console import JsonObject
from music_time_machine.render.tables import Styled, Table, show

if TYPE_CHECKING:
    from music_time_machine.services.doctor import Diagnosis


def diagnosis_json(diagnosis: Diagnosis) -> JsonObject:
    return {
        "ok": diagnosis.ok,
        "checks": [
            {"name": check.name, "status": check.status, "detail": check.detail, "fix": check.fix}
            for check in diagnosis.checks
        ],
    }


def show_diagnosis(diagnosis: Diagnosis) -> None:
    marks = {"pass": Styled("ok", "green"), "warn": Styled("warn", "yellow"), "fail": Styled("FAIL", "red")}
    table = Table.of("tm doctor", "", "Check", "Detail", "What to do")
    for check in diagnosis.checks:
        table.add_row(marks[check.status], check.name, check.detail, check.fix)
    show(table)
