#!/usr/bin/env bash
# Installs the tools the reliability scenarios drive (strace for S11's syscall order, iptables for S16's dropped port)
# from Debian's packages when missing. Idempotent; needs root.
set -euo pipefail

missing=()
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "reliability tools ready: $(command -v strace) $(command -v iptables || echo /usr/sbin/iptables)"
