#!/usr/bin/env bash
# Installs the Debian packages a bare machine lacks, for one purpose:
#   venv PYTHON  what PYTHON needs to make a virtual environment (Debian's own python3
#                has no venv module until python3-venv is installed);
#   run          what the app needs: the X11/EGL libraries and fonts Qt loads (the Python
#                packages, Qt included, come from PyPI into the environment);
#   test         what only the tests need, on top of `run`: PostgreSQL (integration
#                tests start a throwaway cluster), a Secret Service (gnome-keyring under
#                a private D-Bus session) for the keyring tests, and Xvfb with xdotool
#                for driving a real window, and wrk for the hub load benchmark.
# Installs nothing that is already there, so it is quick and safe to run again. As root
# it calls apt-get itself, otherwise through sudo.
set -euo pipefail

RUN_PACKAGES=(
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libnss3 libasound2 fonts-dejavu-core
)
TEST_PACKAGES=(postgresql gnome-keyring dbus libsecret-tools xvfb xdotool wrk)

purpose=${1:-}
case "$purpose" in
  venv)
    python=${2:-python3}
    if "$python" -c 'import ensurepip, venv' 2>/dev/null; then exit 0; fi
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    wanted=("python${version}-venv")
    ;;
  run) wanted=("${RUN_PACKAGES[@]}") ;;
  test) wanted=("${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
  *)
    echo "usage: $0 venv PYTHON | run | test" >&2
    exit 2
    ;;
esac

missing=()
for package in "${wanted[@]}"; do
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
echo "Installing Debian packages ($purpose): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
