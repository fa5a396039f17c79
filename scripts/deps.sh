#!/bin/sh
# Install the Debian packages erpsync needs to build, test and demo.
# Idempotent: does nothing when every package is already installed, and runs
# apt-get update first when it does have to install.
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev curl tzdata ca-certificates
      libcjson-dev libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev sqlite3
      libpq-dev libinih-dev libsodium-dev libcmocka-dev jq"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all build and test packages are installed"
    exit 0
fi

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "deps: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
