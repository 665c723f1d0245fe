#!/usr/bin/env bash
# Installs what the container tests need on Debian (podman, runc, busybox-static) and checks podman answers.
# Idempotent: installs only what is missing. Needs root and Debian's package repositories (no registry is used:
# the tests build their image from busybox with `podman import`, see test/container/podman-fixture.ts).
set -euo pipefail

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || missing+=(busybox-static)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-podman: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q podman runc busybox-static
fi

# The tests pass their own containers.conf (runc, cgroupfs, file events, ulimits within this machine's hard limits)
# through CONTAINERS_CONF; here we only check that podman itself runs.
podman --version
