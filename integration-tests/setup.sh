#!/usr/bin/env bash
# Install what the integration tests need on a Debian 12 machine that has the Swift toolchain
# and python3: the C libraries the shipper links, nginx and openssl for the TLS tests, and a
# project-local virtual environment at <repo>/.venv with osmem-server and pytest.
#
# Safe to run again: it checks each part first and installs only what is missing, and it runs
# `apt-get update` at most once, only when a Debian package must be installed.
set -euo pipefail

OSMEM_SERVER_VERSION="0.1.6"
PYTEST_REQUIREMENT="pytest>=7,<9"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
venv_dir="$repo_root/.venv"
python_bin="${PYTHON:-python3}"

apt_updated=0

log() {
    echo "setup.sh: $*" >&2
}

apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        log "apt-get not found; install these packages by hand: $*"
        exit 1
    fi
    if [ "$apt_updated" -eq 0 ]; then
        log "running apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    log "installing Debian packages: $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

debian_package_installed() {
    local status
    status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ]
}

install_debian_packages() {
    local missing=()
    local package
    for package in libcurl4-openssl-dev libssl-dev zlib1g-dev nginx-light openssl; do
        if ! debian_package_installed "$package"; then
            missing+=("$package")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

# `python3 -m venv` needs the venv and ensurepip modules. A pyenv or python.org build has both;
# Debian's own python3 has them only with the python3-venv package.
ensure_venv_module() {
    if "$python_bin" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        return
    fi
    local version
    version="$("$python_bin" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    apt_install python3-venv "python${version}-venv"
    if ! "$python_bin" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        log "$python_bin still lacks the venv or ensurepip module after installing python3-venv"
        exit 1
    fi
}

venv_is_complete() {
    [ -x "$venv_dir/bin/python" ] || return 1
    "$venv_dir/bin/python" - "$OSMEM_SERVER_VERSION" <<'PY' >/dev/null 2>&1
import importlib.metadata
import sys

import pytest  # noqa: F401

if importlib.metadata.version("osmem-server") != sys.argv[1]:
    sys.exit(1)
PY
}

install_venv() {
    if venv_is_complete; then
        return
    fi
    # A venv whose interpreter no longer runs (the base Python moved) is rebuilt from scratch.
    if [ -e "$venv_dir" ] && ! "$venv_dir/bin/python" -c '' >/dev/null 2>&1; then
        log "removing broken virtual environment at $venv_dir"
        rm -rf "$venv_dir"
    fi
    if [ ! -x "$venv_dir/bin/python" ]; then
        ensure_venv_module
        log "creating virtual environment at $venv_dir"
        "$python_bin" -m venv "$venv_dir"
    fi
    log "installing osmem-server==$OSMEM_SERVER_VERSION and pytest"
    "$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        "osmem-server==$OSMEM_SERVER_VERSION" "$PYTEST_REQUIREMENT"
}

install_debian_packages
install_venv
log "ready: run $venv_dir/bin/python -m pytest $script_dir"
