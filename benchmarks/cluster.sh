#!/usr/bin/env bash
# make cluster-test: the production topology on loopback and its checks (benchmarks/cluster.py).
# Thin: what make cluster-test installs (Debian's postgresql, redis-server, nginx; the
# virtual environment) must be there; locust is added to .venv when missing. The
# orchestrator stops everything it started, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -x /usr/bin/redis-server ] || missing="$missing redis-server"
[ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
    echo "Missing Debian packages:$missing. Run make cluster-test (as root), which installs them." >&2
    exit 1
fi
[ -x .venv/bin/python ] || make install
[ -x .venv/bin/locust ] || .venv/bin/pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
exec .venv/bin/python benchmarks/cluster.py "$@"
