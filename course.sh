#!/usr/bin/env bash
# The course's commands, runnable on a fresh machine with only Python 3.11 and pip:
#   bash course.sh demo      set up, build the release, grade sample submissions, print grades
#   bash course.sh test      set up (Chromium, bubblewrap, PostgreSQL too), then ruff and the tests
#   bash course.sh release   regenerate release/ from source/ after editing a source notebook
#   bash course.sh lab       open JupyterLab on your working copy of the release (work/)
#   bash course.sh hub       (as root) a JupyterHub term: real users, nbgrader's exchange
#                            (hub backup|restore|uninstall|limits: see README.md)
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv

setup() {
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    local stamp
    stamp="$VENV/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        echo "Installing the course into $VENV (first run: a few minutes) ..."
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e ".[dev,torch]"
        touch "$stamp"
    fi
    # nbgrader runs `alembic` from PATH when it first creates a gradebook.
    export PATH="$PWD/$VENV/bin:$PATH"
}

system_packages() {
    # Debian packages: bubblewrap sandboxes the students' kernels when grading; the tests also
    # use Chromium (browser test) and PostgreSQL (shared gradebook). Install what is missing
    # when we may; otherwise grading runs unsandboxed and those tests say why they skip.
    local need=()
    for package in "$@"; do
        case "$package" in
            bubblewrap) command -v bwrap >/dev/null || need+=(bubblewrap) ;;
            postgresql) ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql) ;;
            *) command -v "$package" >/dev/null || need+=("$package") ;;
        esac
    done
    [ ${#need[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing system packages: ${need[*]} ..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "warning: missing ${need[*]}; see README.md for what runs without them" >&2
    fi
}

release() {
    # nbgrader generate_assignment for every assignment, in one process, and the text twins.
    python -m instructor.release
}

case "${1:-}" in
    demo) setup; system_packages bubblewrap; release; python -m instructor.demo ;;
    test) setup; system_packages chromium bubblewrap postgresql
          ruff check . && python -m pytest "${@:2}" ;;
    release) setup; release ;;
    lab) setup; python -m instructor.workcopy; jupyter lab --notebook-dir=work ;;
    hub) setup; system_packages bubblewrap; python -m instructor.hub "${@:2}" ;;
    *) sed -n '2,8p' "$0" | sed 's/^# //'; exit 2 ;;
esac
