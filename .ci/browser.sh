# Sourced by .ci/run: the Chromium that the browser tests draw with (tests/browser.py), which CI never skips, so a
# browser that is named but cannot run fails CI here, before any test, with the reason.
#
# ci_browser: TM_CHROMIUM when it is set (a path or a name on PATH), which must then run; else the first of
# CI_BROWSER_NAMES on PATH (as tm looks, src/music_time_machine/browser.py); else Debian's chromium, installed by
# the caller's apt_install (a fresh machine). The one found must answer `--version`; it is exported as TM_CHROMIUM,
# so the tests use exactly the browser checked here.

CI_BROWSER_NAMES=(chromium chromium-browser google-chrome google-chrome-stable)
CI_BROWSER_TIMEOUT=60  # seconds for `--version`; a cold start on a busy machine takes a few

ci_browser() {
  local found
  if [ -n "${TM_CHROMIUM:-}" ]; then
    found=$(command -v -- "$TM_CHROMIUM") || {
      echo "CI: TM_CHROMIUM is '$TM_CHROMIUM', which is not a program that can be run." \
        "Set it to the path of a Chromium or Chrome, or unset it to use the one on PATH." >&2
      return 1
    }
  else
    found=$(_ci_browser_on_path) || {
      apt_install chromium
      found=$(_ci_browser_on_path) || {
        echo "CI: no Chromium or Chrome on PATH, even after installing chromium; set TM_CHROMIUM to one." >&2
        return 1
      }
    }
  fi
  _ci_browser_runs "$found"
}

_ci_browser_on_path() {  # the first browser of CI_BROWSER_NAMES on PATH, printed; fails when there is none
  local name
  for name in "${CI_BROWSER_NAMES[@]}"; do
    command -v -- "$name" && return 0
  done
  return 1
}

_ci_browser_runs() {  # $1 must print its version; then it is TM_CHROMIUM for the rest of CI
  local errors version status lines=() line reason=""
  errors=$(mktemp)
  version=$(timeout "$CI_BROWSER_TIMEOUT" "$1" --version 2>"$errors" </dev/null) && status=0 || status=$?
  mapfile -t lines <"$errors"
  rm -f "$errors"
  if [ "$status" = 0 ]; then
    echo "+ browser for the tests: $1 (${version:-no version printed})"
    export TM_CHROMIUM="$1"
    return 0
  fi
  for line in "${lines[@]}"; do  # the last line that says why (dbus lines are about the machine, not the browser)
    [[ -n "${line// /}" && "$line" != *dbus* ]] && reason=${line:0:200}
  done
  echo "CI: the browser tests need a Chromium that runs, but '$1 --version' failed (exit status $status)" \
    "${reason:+saying: $reason}. Fix TM_CHROMIUM or the browser's install." >&2
  return 1
}
