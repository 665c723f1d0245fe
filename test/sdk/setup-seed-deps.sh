#!/usr/bin/env bash
# Installs what the seed samples run (redis-server, postgres + initdb, pgbouncer, python + pip) from Debian's packages
# and prepares the paths the samples name: a postgres data dir at /var/lib/postgresql/data and
# /etc/pgbouncer/pgbouncer.ini. Idempotent: installs only what is missing and writes the data dir and the ini once
# (Debian's own ini is kept as pgbouncer.ini.debian). Needs root (apt-get).
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
PG_DATA=/var/lib/postgresql/data
PGB_INI=/etc/pgbouncer/pgbouncer.ini
MARK="written by sbx test/sdk/setup-seed-deps.sh"

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
[ -x "$PG_BIN/postgres" ] || missing+=(postgresql)
# The servers seed's samples run `python app.py` and `pip install -r requirements.txt`.
command -v python >/dev/null 2>&1 || missing+=(python-is-python3)
command -v pip >/dev/null 2>&1 || missing+=(python3-pip)
if [ "${#missing[@]}" -gt 0 ]; then
  # Debian's maintainer scripts would start the packages' own daemons on their default ports; keep them down.
  policy=/usr/sbin/policy-rc.d
  restore_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && restore_policy=true
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ "$restore_policy" = true ]; then rm -f "$policy"; fi
fi

# The sample runs `postgres -D /var/lib/postgresql/data`. postgres refuses to run as root, so the data dir belongs to
# the `postgres` user, and the tests put test/sdk/fixtures/bin/postgres (setpriv to `postgres`, then exec) first on
# the daemon's PATH: the sample's code sets no user.
if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  install -d -o postgres -g postgres -m 0700 "$PG_DATA"
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D $PG_DATA --auth=trust --username=postgres --encoding=UTF8 >/dev/null"
fi
# Loopback only, and the Unix socket in /tmp (Debian's default, /var/run/postgresql, exists only under systemd).
if ! grep -q "$MARK" "$PG_DATA/postgresql.conf"; then
  printf "\n# %s\nlisten_addresses = '127.0.0.1'\nport = 5432\nunix_socket_directories = '/tmp'\n" "$MARK" >>"$PG_DATA/postgresql.conf"
fi

# Debian's own ini wants md5 auth, systemd's /var/run/postgresql and refuses root; ours drops to `postgres` itself
# (`user = postgres`), trusts loopback and logs to stderr. Debian's file is kept beside it as pgbouncer.ini.debian.
if ! grep -q "$MARK" "$PGB_INI" 2>/dev/null; then
  install -d -m 0755 /etc/pgbouncer
  if [ -e "$PGB_INI" ] && [ ! -e "$PGB_INI.debian" ]; then mv "$PGB_INI" "$PGB_INI.debian"; fi
  cat >"$PGB_INI" <<INI
; $MARK: for the services seed's dependency-ordering sample.
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 6432
auth_type = trust
auth_file = /etc/pgbouncer/userlist.txt
user = postgres
unix_socket_dir =
INI
  [ -s /etc/pgbouncer/userlist.txt ] || printf '"postgres" ""\n' >/etc/pgbouncer/userlist.txt
  chmod 0644 "$PGB_INI" /etc/pgbouncer/userlist.txt
fi

echo "seed deps ready: $(command -v redis-server) $(command -v pgbouncer) $PG_BIN/postgres"
