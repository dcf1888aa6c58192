# shellcheck shell=bash
# Shared helpers for the setup/ scripts. Source it; do not run it.
#
# Settings (environment variables, all optional):
#   ODOO_SRC     Odoo 19.0 source tree (holds odoo-bin and the odoo package).
#                Default: /opt/odoo-19.0
#   CMR_VENV     virtualenv to create and use. Default: ~/.cache/crm-cmr/venv
#   PGHOST/PGPORT  PostgreSQL server. Default: 127.0.0.1:5432; when nothing
#                answers there, a private cluster is started under .work/pgdata
#   CMR_DB_USER  database role Odoo connects as. Default: odoo_cmr
#   CMR_DB       database of setup/run. Default: crm_cmr
#   CMR_HTTP_PORT  port of setup/run. Default: 8069
set -euo pipefail

CMR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CMR_WORK="$CMR_ROOT/.work"
ODOO_SRC="${ODOO_SRC:-/opt/odoo-19.0}"
CMR_VENV="${CMR_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-cmr/venv}"
CMR_DB_USER="${CMR_DB_USER:-odoo_cmr}"
CMR_DB="${CMR_DB:-crm_cmr}"
CMR_HTTP_PORT="${CMR_HTTP_PORT:-8069}"
CMR_ADDONS="crm_relationship,crm_loyalty,crm_cmr_portal"
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
# Odoo caps a server's address space at limit_memory_hard (2.5 GiB by default), the test process
# included. glibc reserves up to 64 MiB of it for each thread's own malloc arena: the threads of
# the HTTP server and of the browser tests reserved over 1 GiB that they never used, and a request
# thread could then fail to start. Two arenas hold the same data.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# The Odoo tree: ODOO_SRC, checked for odoo-bin and version 19.0.
cmr_check_odoo() {
    [ -f "$ODOO_SRC/odoo-bin" ] && [ -f "$ODOO_SRC/odoo/release.py" ] \
        || die "no Odoo source tree at '$ODOO_SRC'. Put an Odoo 19.0 Community tree there (the directory holding odoo-bin, odoo/ and addons/) or set ODOO_SRC to one."
    local version
    version=$(tr -d '\r' <"$ODOO_SRC/odoo/release.py" | sed -n 's/^version_info = (\([0-9]*\), *\([0-9]*\),.*/\1.\2/p')
    [ "$version" = "19.0" ] \
        || die "the Odoo tree at '$ODOO_SRC' is version '${version:-unknown}', not 19.0. Point ODOO_SRC at an Odoo 19.0 tree."
    local addon
    for addon in certificate l10n_hr_edi project_hr_skills; do
        if [ -f "$ODOO_SRC/addons/$addon/__manifest__.py" ] \
            && grep -q "OEEL-1" "$ODOO_SRC/addons/$addon/__manifest__.py"; then
            die "'$ODOO_SRC/addons/$addon' is licensed OEEL-1, not LGPL-3. Move it, and the addons depending on it, out of '$ODOO_SRC/addons' (see README, 'Odoo tree')."
        fi
    done
}

# Debian packages needed to build Odoo's requirements and to run browser tests.
cmr_system_packages() {
    local wanted=(libpq-dev libldap2-dev libsasl2-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev
                  python3-venv python3-dev chromium fonts-noto-cjk postgresql postgresql-client)
    local missing=() pkg
    for pkg in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "installing Debian packages: ${missing[*]}"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || die "apt-get could not install: ${missing[*]}"
    else
        die "missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) and run again."
    fi
}

# The virtualenv: Odoo's requirements, then ours with Odoo's pins as constraints.
cmr_venv() {
    local py=/usr/bin/python3
    [ -x "$py" ] || py=$(command -v python3)
    local stamp_src
    stamp_src=$(cat "$ODOO_SRC/requirements.txt" "$CMR_ROOT/setup/requirements.txt" | sha256sum | cut -c1-16)
    if [ -f "$CMR_VENV/.cmr-stamp" ] && [ "$(cat "$CMR_VENV/.cmr-stamp")" = "$stamp_src" ]; then
        return 0
    fi
    say "preparing the virtualenv $CMR_VENV (first time takes a few minutes)"
    mkdir -p "$(dirname "$CMR_VENV")"
    [ -x "$CMR_VENV/bin/python" ] || "$py" -m venv "$CMR_VENV" || die "could not create a virtualenv with $py"
    local cons="$CMR_VENV/constraints.txt"
    # cbor2 5.4.2 builds from source with pkg_resources, which setuptools 82 removed.
    echo "setuptools<82" >"$cons"
    export PIP_CONSTRAINT="$cons"
    "$CMR_VENV/bin/pip" install -q --upgrade "pip<26" "setuptools<82" wheel >/dev/null \
        || die "could not upgrade pip in $CMR_VENV"
    tr -d '\r' <"$ODOO_SRC/requirements.txt" >"$CMR_VENV/odoo-requirements.txt"
    "$CMR_VENV/bin/pip" install -q -r "$CMR_VENV/odoo-requirements.txt" \
        || die "could not install Odoo's requirements (see pip's message above)"
    # Our packages must not move Odoo's pins.
    { echo "setuptools<82"; grep -v '^\s*#' "$CMR_VENV/odoo-requirements.txt" | grep -v '^\s*$'; } >"$cons"
    "$CMR_VENV/bin/pip" install -q -r "$CMR_ROOT/setup/requirements.txt" \
        || die "could not install the project's requirements (setup/requirements.txt)"
    "$CMR_VENV/bin/pip" check >/dev/null || { "$CMR_VENV/bin/pip" check; die "pip check failed in $CMR_VENV"; }
    unset PIP_CONSTRAINT
    echo "$stamp_src" >"$CMR_VENV/.cmr-stamp"
}

cmr_psql_super() {
    # Run psql as a PostgreSQL superuser: the postgres role over TCP (trust),
    # else the postgres OS user over the local socket.
    if psql -X -q -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
        psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres "$@"
    elif [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
        runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -d postgres "$@"
    else
        psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -d postgres "$@"
    fi
}

# A reachable PostgreSQL server, and the role Odoo connects as.
cmr_postgres() {
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        say "no PostgreSQL answers at $PGHOST:$PGPORT; starting a private cluster under .work/pgdata"
        cmr_private_cluster
    fi
    local exists
    exists=$(cmr_psql_super -tAc "select 1 from pg_roles where rolname = '$CMR_DB_USER'" 2>/dev/null) \
        || die "cannot connect to PostgreSQL at $PGHOST:$PGPORT as a superuser to create the role '$CMR_DB_USER'. Create it yourself (createuser --createdb $CMR_DB_USER) or set CMR_DB_USER to a role that can create databases."
    if [ "$exists" != "1" ]; then
        say "creating the database role $CMR_DB_USER"
        cmr_psql_super -c "create role \"$CMR_DB_USER\" login createdb" >/dev/null
    fi
}

cmr_private_cluster() {
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -n "$bindir" ] || die "PostgreSQL is not reachable at $PGHOST:$PGPORT and no PostgreSQL server binaries are installed (apt-get install postgresql)."
    export PGHOST=127.0.0.1 PGPORT="${CMR_PRIVATE_PGPORT:-5433}"
    local data="$CMR_WORK/pgdata" runas=()
    mkdir -p "$CMR_WORK"
    if [ "$(id -u)" -eq 0 ]; then
        runas=(runuser -u postgres --)
        chown postgres "$CMR_WORK" 2>/dev/null || true
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        rm -rf "$data"
        "${runas[@]}" "$bindir/initdb" --auth=trust --username=postgres --pgdata="$data" >/dev/null \
            || { rm -rf "$data"; die "initdb failed in $data"; }
    fi
    pg_isready -q -h "$PGHOST" -p "$PGPORT" \
        || "${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
            -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null \
        || die "the private PostgreSQL cluster did not start; see $data/server.log"
}

# The Odoo configuration file the scripts share.
cmr_odoo_conf() {
    mkdir -p "$CMR_WORK"
    local conf="$CMR_WORK/odoo.conf"
    cat >"$conf" <<CONF
[options]
addons_path = $CMR_ROOT,$ODOO_SRC/addons,$ODOO_SRC/odoo/addons
data_dir = $CMR_WORK/filestore
db_host = $PGHOST
db_port = $PGPORT
db_user = $CMR_DB_USER
http_interface = 127.0.0.1
http_port = $CMR_HTTP_PORT
list_db = False
CONF
    echo "$conf"
}

cmr_odoo() {
    "$CMR_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CMR_WORK/odoo.conf" "$@"
}

cmr_prepare() {
    cmr_check_odoo
    cmr_system_packages
    cmr_venv
    cmr_postgres
    cmr_odoo_conf >/dev/null
}
