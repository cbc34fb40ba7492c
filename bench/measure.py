"""Timing for bench/run.py: commands run to completion in fresh processes, medians of interleaved rounds, ratios."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TM = str(Path(sys.executable).with_name("tm"))

# Runs one command in a fresh wrapper process, so each peak RSS is that command's own.
_WRAPPER = (
    "import resource, subprocess, sys, time; start = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True); "
    "sys.stderr.write(f'{time.perf_counter() - start} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}'); "
    "sys.stdout.write(done.stdout)"
)


@dataclass(frozen=True)
class Row:
    id: str
    what: str
    measured: str
    ratio: float | None
    target: str
    met: bool


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one command run to completion."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command], env=env, capture_output=True, text=True, check=True
    )
    seconds, peak_kb = done.stderr.split()[-2:]
    return float(seconds), int(peak_kb) / 1024, done.stdout


def medians(commands: dict[str, list[str]], env: dict[str, str], rounds: int) -> dict[str, float]:
    """Median wall seconds of each command, run interleaved (one of each per round) after one warm-up round."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(rounds + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
            if round_number:  # round 0 warms the page cache and writes the .pyc files
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def ratio_rows(prefix: str, medians: dict[str, float], baseline: str, target: float, reference: str = "") -> list[Row]:
    """One row per command against `baseline`; the `reference` command is shown for context, with no target."""
    base = medians[baseline]
    rows = []
    for name, seconds in medians.items():
        if name != baseline:
            measured = f"{seconds * 1000:.0f} ms vs {base * 1000:.0f} ms"
            goal, met = ("(for reference)", True) if name == reference else (f"≤ {target}x", seconds / base <= target)
            rows.append(Row(prefix, f"`{name}` vs `{baseline}`", measured, seconds / base, goal, met))
    return rows
