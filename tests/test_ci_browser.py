"""CI's browser check (.ci/browser.sh, sourced by .ci/run): a TM_CHROMIUM that is set must run, or CI fails saying
why, before any browser test could skip or fail obscurely; without one the browser on PATH is used, and on a fresh
machine chromium is installed first. Run here in bash with stand-in browsers (shell scripts) on a PATH of their own,
and a stand-in `apt_install` that records what it was asked for."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "browser.sh"
TOOLS = ("mktemp", "rm", "timeout")  # all the script runs besides bash's builtins and the browser


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """A PATH of the script's tools only (so no browser of this machine's is on it)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    return folder


def browser(folder: Path, name: str, script: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


WORKS = 'echo "Chromium 130.0.1 built on Debian"'
FAILS = "echo 'Failed to connect to the bus (dbus)' >&2; echo 'error while loading shared libraries: libnss3.so' >&2\n"
FAILS += "echo 'dbus: no session bus' >&2; exit 127"


def ci_browser(bin_dir: Path, tm_chromium: str | None, installs: str = "") -> subprocess.CompletedProcess[str]:
    """Source the script in bash as .ci/run does (set -euo pipefail), run ci_browser, then print the TM_CHROMIUM
    it left; `installs`: what the stand-in apt_install does, after noting its arguments in apt.log."""
    log = bin_dir.parent / "apt.log"
    program = (
        f'set -euo pipefail\napt_install() {{ echo "$*" >> {log}; {installs or ":"}; }}\n'
        f'source {SCRIPT}\nci_browser\necho "TM_CHROMIUM=$TM_CHROMIUM"\n'
    )
    env = {"PATH": str(bin_dir), "HOME": str(bin_dir.parent), **({"TM_CHROMIUM": tm_chromium} if tm_chromium else {})}
    bash = shutil.which("bash")
    assert bash
    return subprocess.run([bash, "-c", program], env=env, capture_output=True, text=True, timeout=60, check=False)


def installed(bin_dir: Path) -> list[str]:
    log = bin_dir.parent / "apt.log"
    return log.read_text().splitlines() if log.exists() else []


def test_a_tm_chromium_that_fails_to_run_fails_ci_with_its_reason(bin_dir: Path, tmp_path: Path) -> None:
    broken = browser(tmp_path, "chromium", FAILS)

    run = ci_browser(bin_dir, str(broken))

    assert run.returncode == 1
    assert run.stderr == (
        f"CI: the browser tests need a Chromium that runs, but '{broken} --version' failed (exit status 127) saying: "
        "error while loading shared libraries: libnss3.so. Fix TM_CHROMIUM or the browser's install.\n"
    )
    assert "TM_CHROMIUM=" not in run.stdout
    assert installed(bin_dir) == [], "a browser that is named is never replaced by another"


def test_a_tm_chromium_that_runs_is_the_browser_the_tests_use(bin_dir: Path, tmp_path: Path) -> None:
    browser(bin_dir, "chromium", "exit 1")  # on PATH, but TM_CHROMIUM comes first
    elsewhere = tmp_path / "opt"
    elsewhere.mkdir()
    works = browser(elsewhere, "my-chrome", WORKS)

    run = ci_browser(bin_dir, str(works))

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"+ browser for the tests: {works} (Chromium 130.0.1 built on Debian)",
        f"TM_CHROMIUM={works}",
    ]
    assert installed(bin_dir) == []


def test_a_tm_chromium_that_is_no_program_fails_ci(bin_dir: Path, tmp_path: Path) -> None:
    not_a_program = tmp_path / "chromium"
    not_a_program.write_text("not a program")  # no x bit

    for setting in (str(not_a_program), "no-such-browser"):
        run = ci_browser(bin_dir, setting)

        assert run.returncode == 1
        assert run.stderr.startswith(f"CI: TM_CHROMIUM is '{setting}', which is not a program that can be run."), (
            setting
        )


def test_without_tm_chromium_the_first_browser_on_path_is_checked_and_used(bin_dir: Path) -> None:
    browser(bin_dir, "google-chrome", WORKS)
    first = browser(bin_dir, "chromium-browser", WORKS)

    run = ci_browser(bin_dir, None)

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == f"TM_CHROMIUM={first}"
    assert installed(bin_dir) == []

    browser(bin_dir, "chromium", FAILS)  # first of all now, and it does not run: CI says so, it tries no other
    assert ci_browser(bin_dir, None).returncode == 1


def test_on_a_fresh_machine_chromium_is_installed_then_checked(bin_dir: Path) -> None:
    chromium, chmod = bin_dir / "chromium", shutil.which("chmod")
    run = ci_browser(
        bin_dir, None, installs=f"printf '#!/bin/sh\\n%s\\n' '{WORKS}' > {chromium}; {chmod} +x {chromium}"
    )

    assert run.returncode == 0, run.stderr
    assert installed(bin_dir) == ["chromium"]
    assert run.stdout.splitlines()[-1] == f"TM_CHROMIUM={bin_dir / 'chromium'}"


def test_when_the_install_brings_no_browser_ci_fails_saying_so(bin_dir: Path) -> None:
    run = ci_browser(bin_dir, None)

    assert run.returncode == 1
    assert installed(bin_dir) == ["chromium"]
    assert run.stderr == "CI: no Chromium or Chrome on PATH, even after installing chromium; set TM_CHROMIUM to one.\n"


def test_ci_checks_the_browser_before_it_runs_the_tests() -> None:
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]

    assert lines.index("source .ci/browser.sh") < lines.index("ci_browser") < lines.index('bash -c "$test_command"')
