#!/bin/sh
# deps.sh - installs the Debian packages faultline builds with, when missing.
# Run as root on Debian 12 (or with sudo available). Does nothing when all
# packages are already installed.
set -eu

PACKAGES="build-essential cmake pkg-config libcjson-dev libcriterion-dev \
libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libfontconfig-dev fonts-dejavu-core \
libopenmpi-dev openmpi-bin"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "deps.sh: need root to install:$missing" >&2
        exit 1
    fi
fi
echo "installing with apt-get (a few minutes on a fresh machine):$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
