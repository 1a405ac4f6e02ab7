#!/usr/bin/env bash
# Installs the Debian packages that the app and its tests need and a bare machine lacks:
# Qt's offscreen/X11 libraries and fonts, Xvfb, PostgreSQL (integration tests), and a
# Secret Service (gnome-keyring under D-Bus) for keyring tests. Safe to run again.
set -euo pipefail

PACKAGES=(
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libnss3 libasound2
  fonts-dejavu-core xvfb postgresql gnome-keyring dbus libsecret-tools
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Not a Debian machine: install the equivalents of: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
