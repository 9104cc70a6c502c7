#!/usr/bin/env bash
# Installs the two programs from Debian that the tests need beside Node.js, when they are missing:
# PostgreSQL's server programs (the PostgreSQL store's tests run against a throw-away cluster that
# scripts/with-postgres.sh starts on 127.0.0.1) and Chromium (the dashboard's browser tests).
# It needs root or password-less sudo to install; otherwise it says what to install and fails.
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [[ ! -x /usr/bin/chromium ]]; then missing+=(chromium); fi
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

sudo=()
if [[ "$(id -u)" != "0" ]]; then
  if sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "system-deps: the tests need Debian's ${missing[*]}: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "system-deps: installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
