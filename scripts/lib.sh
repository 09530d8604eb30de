# Shared helpers for scripts/run, scripts/test and scripts/bench. Sourced, not executed.
#
# Everything here is idempotent: a second call does nothing when the machine already has
# what is asked for, so `make run` and `make test` stay fast after the first time.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

if [ -t 1 ]; then BOLD=$'\033[1m' RED=$'\033[31m' PLAIN=$'\033[0m'; else BOLD="" RED="" PLAIN=""; fi
say() { printf '%s==> %s%s\n' "$BOLD" "$*" "$PLAIN"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root to run: $*"
    fi
}

# apt_ensure WHAT:PACKAGE ... — install the Debian packages whose command (or, for an
# absolute path, file) is missing, with one quiet `apt-get update` first and only then.
apt_ensure() {
    local missing=() pair what
    for pair in "$@"; do
        what="${pair%%:*}"
        if [ "${what#/}" != "$what" ]; then
            [ -e "$what" ] || missing+=("${pair#*:}")
        else
            command -v "$what" >/dev/null 2>&1 || missing+=("${pair#*:}")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# venv_ensure [EXTRAS] — .venv on Python 3.11 with the project installed (editable).
# Reinstalls when pyproject.toml changes or when more extras are asked for.
venv_ensure() {
    local extras="${1:-}" spec="." stamp="$VENV/.chengnuo-installed" want have python
    [ -n "$extras" ] && spec=".[$extras]"
    if [ ! -x "$PY" ]; then
        python="$(command -v python3.11 || true)"
        if [ -z "$python" ]; then
            python="$(command -v python3 || true)"
            "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
                || die "Python 3.11 is needed (python3.11 not found)"
        fi
        say "creating .venv with $("$python" --version)"
        "$python" -m venv "$VENV"
    fi
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
    have="$(cat "$stamp" 2>/dev/null || true)"
    # A stamp "HASH dev" also satisfies a plain install; "HASH" alone does not satisfy dev.
    if [ "$have" = "$want $extras" ] || { [ -z "$extras" ] && [ "${have%% *}" = "$want" ]; }; then
        return 0
    fi
    say "installing the project into .venv: pip install -e '$spec'"
    # (A machine's pip.conf may name local indexes that are absent: drop those warnings.)
    (cd "$ROOT" && "$PY" -m pip install --quiet --disable-pip-version-check -e "$spec" 2>&1) \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    if [ -n "$extras" ]; then echo "$want $extras" >"$stamp"; else echo "$want" >"$stamp"; fi
}

# services_ensure — PostgreSQL and Redis answer on 127.0.0.1, started the machine's way if not.
services_ensure() {
    if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        say "starting PostgreSQL"
        command -v pg_ctlcluster >/dev/null || die "PostgreSQL is not installed"
        as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start \
            || true
        wait_for "PostgreSQL" pg_isready -q -h 127.0.0.1 -p 5432
    fi
    if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" != "PONG" ]; then
        say "starting Redis"
        command -v redis-server >/dev/null || die "Redis is not installed"
        mkdir -p /var/lib/redis /var/log/redis
        as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
            --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
        wait_for "Redis" redis_answers
    fi
}

# npm_ensure FOLDER — the folder's node_modules exactly as its package-lock.json says (npm ci),
# installed when missing or older than the lock file. Needs Node.js 20.19 or later.
npm_ensure() {
    local folder="$ROOT/$1"
    command -v npm >/dev/null 2>&1 || die "Node.js and npm are needed (for $1)"
    if [ ! -d "$folder/node_modules" ] || [ "$folder/package-lock.json" -nt "$folder/node_modules" ]; then
        say "installing $1 (npm ci)"
        (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
        touch "$folder/node_modules"
    fi
}

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

wait_for() {
    local name="$1" i
    shift
    for i in $(seq 1 30); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 1
    done
    die "$name did not answer within 30 s"
}

# pg_url DATABASE — a URL for a role that the server trusts here (postgres, else root).
pg_url() {
    local db="$1" user
    for user in postgres root "$(id -un)"; do
        if psql -h 127.0.0.1 -U "$user" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
            echo "postgres://$user@127.0.0.1:5432/$db"
            return 0
        fi
    done
    die "no PostgreSQL role answers with trust auth on 127.0.0.1 (tried postgres, root)"
}
