#!/usr/bin/env bash
# rt.sh - the Request Tracker 5 that Intake's RT connector is tested against (Debian 12, root).
#
# A loopback-only RT 5.0.3 from Debian packages: SQLite database under $RT_STATE_DIR, RT's own
# PSGI server (rt-server + Starlet) as www-data, REST2 at http://$RT_HOST:$RT_PORT/REST/2.0/,
# mail written to mbox files (no MTA). It is configured the way docs/rt-lifecycle.md tells an MSP
# to configure a production RT for Intake:
#   * lifecycle "intake" with the service guide's 13 statuses (lower-case; see docs/rt-lifecycle.md
#     for the auto-open scrip and why each transitions list starts where it does);
#   * queue $RT_QUEUE using it, with ticket custom fields ClientTicketId (unique), Device,
#     RequestedPriority (P1..P4), Availability (JSON text), ContactMethod, ContactDetail, Escalation;
#   * ticket priorities shown as P1..P4 (numeric 90/70/50/30);
#   * service account $RT_BOT_USER with an auth token, and a technician "dana" who may own tickets.
#
# Usage (as root):
#   rt.sh start      install packages if missing, initialise the DB if missing, start, print env
#   rt.sh stop       stop the server (by its PID file)
#   rt.sh status     exit 0 if REST2 answers
#   rt.sh reset-db   stop, restore the DB snapshot taken after initialisation, start (token kept)
#   rt.sh env        print the env of the running instance (RT_URL=... RT_TOKEN=...)
#   rt.sh wipe       stop and delete the state dir's DB (the next start re-initialises)
#   rt.sh token USER print a new auth token for an existing RT user
#
# `start` and `env` print shell assignments on stdout; progress goes to stderr:
#     eval "$(scripts/rt.sh start)"
# Overrides: RT_HOST RT_PORT RT_STATE_DIR RT_QUEUE RT_BOT_USER RT_BOT_PASSWORD RT_ROOT_PASSWORD
#            RT_WORKERS RT_LOG_LEVEL RT_READY_TIMEOUT RT_BCRYPT_COST (default 4: test speed)
set -euo pipefail

RT_HOST=${RT_HOST:-127.0.0.1}
RT_PORT=${RT_PORT:-8080}
RT_STATE_DIR=$(realpath -m "${RT_STATE_DIR:-/tmp/intake-rt}")
RT_QUEUE=${RT_QUEUE:-Intake}
RT_BOT_USER=${RT_BOT_USER:-intake-bot}
RT_BOT_PASSWORD=${RT_BOT_PASSWORD:-intake-bot-pass}
RT_ROOT_PASSWORD=${RT_ROOT_PASSWORD:-rt-root-pass}
RT_WORKERS=${RT_WORKERS:-2}
RT_LOG_LEVEL=${RT_LOG_LEVEL:-warning}
RT_READY_TIMEOUT=${RT_READY_TIMEOUT:-120}

V=5
LIBEXEC=/usr/share/request-tracker$V/libexec
ETC=/etc/request-tracker$V
LOCAL_CONF=$ETC/RT_SiteConfig.d/90-intake.pm
DB_FILE=$RT_STATE_DIR/db/rt.sqlite
PRISTINE=$RT_STATE_DIR/db/rt.sqlite.pristine
PID_FILE=$RT_STATE_DIR/rt-server.pid
LOG_FILE=$RT_STATE_DIR/rt-server.log
ENV_FILE=$RT_STATE_DIR/rt.env
TOKEN_FILE=$RT_STATE_DIR/token
BASE_URL=http://$RT_HOST:$RT_PORT
API_URL=$BASE_URL/REST/2.0/
RUN_AS=www-data
SELF=$(readlink -f "$0")

log() { printf '[rt.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "must run as root (apt-get, $ETC)"; }
as_rt() { (cd / && setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups "$@"); }
http_code() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$@" 2>/dev/null || true; }

# ------------------------------------------------------------------------------------ install
installed() {
    dpkg-query -W -f='${Status}\n' "request-tracker$V" "rt$V-db-sqlite" "rt$V-standalone" 2>/dev/null \
        | grep -cx 'install ok installed' | grep -qx 3
}

install_packages() {
    if installed; then return; fi
    command -v apt-get >/dev/null || die "not a Debian system (no apt-get): install RT 5 yourself and set RT_URL/RT_TOKEN"
    local t0=$SECONDS policy_made=0
    # Maintainer scripts must not start daemons (default-mta brings exim4 in).
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
        policy_made=1; trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    # Preseed: no questions; this script creates the database itself (dbconfig-common stays out).
    debconf-set-selections <<EOF
request-tracker$V request-tracker$V/rtname string intake.rt.localtest
request-tracker$V request-tracker$V/organization string intake.localtest
request-tracker$V request-tracker$V/correspondaddress string rt@localhost
request-tracker$V request-tracker$V/commentaddress string rt-comment@localhost
request-tracker$V request-tracker$V/webbaseurl string $BASE_URL
request-tracker$V request-tracker$V/handle-siteconfig-permissions boolean true
request-tracker$V request-tracker$V/install-cronjobs boolean false
request-tracker$V request-tracker$V/dbconfig-install boolean false
request-tracker$V request-tracker$V/database-type select sqlite3
exim4-config exim4/dc_eximconfig_configtype select local delivery only; not on a network
EOF
    local lock=(-o DPkg::Lock::Timeout=600)
    local pkgs=("request-tracker$V" "rt$V-db-sqlite" "rt$V-standalone" w3m)
    command -v sqlite3 >/dev/null || pkgs+=(sqlite3)
    command -v curl >/dev/null || pkgs+=(curl)
    log "apt-get install ${pkgs[*]} (about 265 packages, ~30 s)"
    apt-get "${lock[@]}" update -qq >&2
    local opts=(-y -q --no-install-recommends "${lock[@]}" -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "${pkgs[@]}" > "$RT_STATE_DIR/apt.log" 2>&1 \
        || { tail -30 "$RT_STATE_DIR/apt.log" >&2; die "apt-get install failed (log: $RT_STATE_DIR/apt.log)"; }
    if [ "$policy_made" = 1 ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
    log "packages installed in $((SECONDS - t0)) s"
}

# ------------------------------------------------------------------------------------ config
# The documented snippet (docs/rt-lifecycle.md shows this block verbatim; a test compares them).
lifecycle_config() {
    cat <<'PERL'
# --- Intake lifecycle: the service guide's 13 statuses (RT stores status names lower-case) ---
# The stock scrip "On Correspond Open Inactive Tickets" moves a ticket whose status is initial or
# inactive to the FIRST ACTIVE status of its transitions list on any correspondence. So each
# initial status lists 'working issue now' first (a technician's reply on a new ticket), and the
# inactive ones list 're-opened' first (guide: a reply on a Completed ticket -> Re-opened).
my @intake_initial  = ('new (portal)', 'new - emailed client', 'new (email connector)');
my @intake_active   = ('scheduled required', 'scheduled in-house', 'working issue now',
                       'client responded', 're-opened', 'waiting parts/repair', 'on-hold',
                       'waiting on client', 'pending closure');
my @intake_inactive = ('completed', 'rejected', 'deleted');
my @intake_all = (@intake_initial, @intake_active, @intake_inactive);
my $intake_to = sub {    # ($from, @first): @first, then every other status
    my ($from, @first) = @_;
    my %skip = map { $_ => 1 } $from, @first;
    return [ @first, grep { !$skip{$_} } @intake_all ];
};
Set(%Lifecycles,
    intake => {
        type     => 'ticket',
        initial  => [ @intake_initial ],
        active   => [ @intake_active ],
        inactive => [ @intake_inactive ],
        defaults => {
            on_create           => 'new (portal)',
            approved            => 'working issue now',
            denied              => 'rejected',
            reminder_on_open    => 'working issue now',
            reminder_on_resolve => 'completed',
        },
        transitions => {
            ''          => [ @intake_initial, @intake_active ],
            (map { $_ => $intake_to->($_, 'working issue now') } @intake_initial),
            (map { $_ => $intake_to->($_) } @intake_active),
            'completed' => $intake_to->('completed', 're-opened'),
            'rejected'  => [ 're-opened', 'new (portal)', 'working issue now' ],
            'deleted'   => [ 're-opened', 'new (portal)' ],
        },
        rights => { '* -> deleted' => 'DeleteTicket', '* -> *' => 'ModifyTicket' },
        actions => [
            '* -> working issue now' => { label => 'Work on it',      update => 'Respond' },
            '* -> waiting on client' => { label => 'Wait on client',  update => 'Respond' },
            '* -> pending closure'   => { label => 'Propose closure', update => 'Respond' },
            '* -> completed'         => { label => 'Complete',        update => 'Comment' },
        ],
    },
    __maps__ => {
        'default -> intake' => {
            'new' => 'new (portal)', 'open' => 'working issue now', 'stalled' => 'on-hold',
            'resolved' => 'completed', 'rejected' => 'rejected', 'deleted' => 'deleted',
        },
        'intake -> default' => {
            (map { $_ => 'new' } @intake_initial),
            (map { $_ => 'open' } @intake_active),
            'on-hold' => 'stalled', 'waiting parts/repair' => 'stalled',
            'completed' => 'resolved', 'rejected' => 'rejected', 'deleted' => 'deleted',
        },
    },
);
# Ticket priority shown as the guide's P1..P4 (numbers: higher is more urgent).
Set(%PriorityAsString,
    Default   => { Low => 0, Medium => 50, High => 100 },    # RT's own default, for other queues
    __QUEUE__ => [ P1 => 90, P2 => 70, P3 => 50, P4 => 30 ],
);
1;
PERL
}

write_config() {
    # Debian leaves RT_SiteConfig.pm root:root 0600; rt-server runs as www-data and must read it.
    chgrp "$RUN_AS" "$ETC/RT_SiteConfig.pm" && chmod 640 "$ETC/RT_SiteConfig.pm"
    {
        cat <<EOF
# Written by Intake's scripts/rt.sh: loopback test instance. Loaded after 50-debconf.pm.
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$DB_FILE');
Set(\$DatabaseHost, 'localhost');
Set(\$DatabaseUser, '');
Set(\$DatabasePassword, '');
Set(\$WebPath, '');
Set(\$WebDomain, '$RT_HOST');
Set(\$WebPort, $RT_PORT);
Set(\$WebBaseURL, '$BASE_URL');
Set(@ReferrerWhitelist, qw($RT_HOST:$RT_PORT localhost:$RT_PORT));
Set(\$MailCommand, 'mbox');            # mail goes to /var/lib/request-tracker$V/*.mbox, never to an MTA
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, '$RT_LOG_LEVEL');
# REST2 checks the auth token with bcrypt on EVERY request (cost 12 is ~0.3-1 s of CPU per call).
# A throw-away test instance uses a cheap cost; a production RT keeps its default.
Set(\$BcryptCost, ${RT_BCRYPT_COST:-4});

EOF
        lifecycle_config | sed "s/__QUEUE__/$RT_QUEUE/g"
    } > "$LOCAL_CONF.tmp"
    chown root:"$RUN_AS" "$LOCAL_CONF.tmp"; chmod 640 "$LOCAL_CONF.tmp"
    mv "$LOCAL_CONF.tmp" "$LOCAL_CONF"
    perl -c "$LOCAL_CONF" >/dev/null 2>&1 || { perl -c "$LOCAL_CONF" >&2 || true; die "$LOCAL_CONF does not compile"; }
}

write_initialdata() {
    cat > "$RT_STATE_DIR/initialdata.pl" <<EOF
# RT initialdata for Intake (rt-setup-database --action insert)
@Queues = ({ Name => '$RT_QUEUE', Description => 'Tickets from the Intake desktop app',
             CorrespondAddress => '', CommentAddress => '', Lifecycle => 'intake' });
my @q = (LookupType => 'RT::Queue-RT::Ticket', Queue => ['$RT_QUEUE']);
@CustomFields = (
    { Name => 'ClientTicketId', Type => 'FreeformSingle', UniqueValues => 1, @q,
      Description => 'Intake client ticket id (idempotency key)' },
    { Name => 'Device', Type => 'FreeformSingle', @q, Description => 'Computer or device needing help' },
    { Name => 'RequestedPriority', Type => 'SelectSingle', @q, Description => 'Priority the user asked for',
      Values => [ map { { Name => "P\$_", SortOrder => \$_ } } 1 .. 4 ] },
    { Name => 'Availability', Type => 'TextSingle', @q, Description => 'When the user can be reached (JSON)' },
    { Name => 'ContactMethod', Type => 'SelectSingle', @q, Description => 'Best way to reach the user',
      Values => [ map { { Name => \$_ } } qw(phone email chat remote) ] },
    { Name => 'ContactDetail', Type => 'FreeformSingle', @q, Description => 'Number or address for ContactMethod' },
    { Name => 'Escalation', Type => 'SelectSingle', @q, Description => 'Paid escalation (billing marker)',
      Values => [ map { { Name => \$_ } } qw(pending approved denied cancelled) ] },
);
@Users = (
    { Name => '$RT_BOT_USER', RealName => 'Intake service', EmailAddress => '$RT_BOT_USER@localhost',
      Password => '$RT_BOT_PASSWORD', Privileged => 1 },
    { Name => 'dana', RealName => 'Dana Tech', EmailAddress => 'dana@localhost', Privileged => 1 },
    # a customer contact who is their company's primary IT contact (approves paid escalations)
    { Name => 'pat@example.com', RealName => 'Pat Primary', EmailAddress => 'pat@example.com',
      Organization => 'Example Co', WorkPhone => '+1 713 555 0100', Privileged => 0 },
);
@Groups = ({ Name => 'Primary IT contacts', Description => 'May approve paid escalations (Intake)' });
@Members = ({ Group => 'Primary IT contacts', Name => 'pat@example.com' });
@ACL = (
    (map { { UserId => '$RT_BOT_USER', Right => \$_ } } qw(
        SeeQueue ShowTicket CreateTicket ReplyToTicket CommentOnTicket ModifyTicket ShowTicketComments
        OwnTicket TakeTicket StealTicket SeeCustomField ModifyCustomField SetInitialCustomField
        ShowOutgoingEmail SeeGroup ShowUserHistory AdminUsers ModifySelf)),
    (map { { UserId => 'dana', Right => \$_ } } qw(SeeQueue ShowTicket OwnTicket)),
);
1;
EOF
    chmod 644 "$RT_STATE_DIR/initialdata.pl"
}

init_db() {
    if [ -s "$DB_FILE" ] && [ "$(sqlite3 "$DB_FILE" "select count(*) from Queues where Name='$RT_QUEUE'" 2>/dev/null)" = 1 ]; then
        return
    fi
    local t0=$SECONDS dir; dir=$(dirname "$DB_FILE")
    rm -rf "$dir" "$TOKEN_FILE"; mkdir -p "$dir"; chown "$RUN_AS:$RUN_AS" "$dir"; chmod 750 "$dir"
    printf '%s\n' "$RT_ROOT_PASSWORD" > "$RT_STATE_DIR/root-pass"
    chown "$RUN_AS" "$RT_STATE_DIR/root-pass"; chmod 600 "$RT_STATE_DIR/root-pass"
    log "initialising $DB_FILE"
    as_rt /usr/sbin/rt-setup-database-$V --action init --skip-create \
        --root-password-file "$RT_STATE_DIR/root-pass" > "$RT_STATE_DIR/setup-db.log" 2>&1 \
        || { rm -f "$RT_STATE_DIR/root-pass"; tail -20 "$RT_STATE_DIR/setup-db.log" >&2; die "rt-setup-database init failed"; }
    rm -f "$RT_STATE_DIR/root-pass"
    write_initialdata
    as_rt /usr/sbin/rt-setup-database-$V --action insert --datafile "$RT_STATE_DIR/initialdata.pl" \
        >> "$RT_STATE_DIR/setup-db.log" 2>&1 \
        || { tail -20 "$RT_STATE_DIR/setup-db.log" >&2; die "inserting Intake's initialdata failed"; }
    log "database ready in $((SECONDS - t0)) s"
}

# ------------------------------------------------------------------------------------ server
server_pid() {
    [ -f "$PID_FILE" ] || return 1
    local pid; pid=$(cat "$PID_FILE")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q rt-server "/proc/$pid/cmdline" 2>/dev/null \
        && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && { echo "$pid"; return 0; }
    return 1
}

start_server() {
    if ! server_pid >/dev/null; then
        if (exec 3<>"/dev/tcp/$RT_HOST/$RT_PORT") 2>/dev/null; then
            die "$RT_HOST:$RT_PORT is in use by another process (set RT_PORT)"
        fi
        : > "$LOG_FILE"; chown "$RUN_AS" "$LOG_FILE"
        (cd / && exec setsid setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups \
            "$LIBEXEC/rt-server" --server Starlet --host "$RT_HOST" --port "$RT_PORT" \
            --max-workers "$RT_WORKERS" >> "$LOG_FILE" 2>&1 < /dev/null) &
        echo $! > "$PID_FILE"
    fi
    local t0=$SECONDS code
    while :; do
        code=$(http_code "$API_URL")
        case "$code" in 200|401) break ;; esac
        server_pid >/dev/null || { tail -30 "$LOG_FILE" >&2; die "rt-server exited while starting (log: $LOG_FILE)"; }
        [ $((SECONDS - t0)) -lt "$RT_READY_TIMEOUT" ] || die "rt-server not answering after $RT_READY_TIMEOUT s"
        sleep 0.3
    done
}

stop_server() {
    local pid
    pid=$(server_pid) || { rm -f "$PID_FILE"; return 0; }
    log "stopping rt-server (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do server_pid >/dev/null || break; sleep 0.25; done
    if server_pid >/dev/null; then
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
}

# ------------------------------------------------------------------------------------ tokens, env
make_token() {  # make_token USER DESCRIPTION -> prints the token
    # shellcheck disable=SC2016  # Perl, not shell
    as_rt perl -e '
        use strict; use warnings;
        use lib "/usr/share/request-tracker5/lib";
        use RT; RT::LoadConfig(); RT::Init();
        my ($name, $desc) = @ARGV;
        my $user = RT::User->new(RT->SystemUser); $user->Load($name);
        die "no such RT user: $name\n" unless $user->id;
        my ($id, $msg, $token) = RT::AuthToken->new(RT->SystemUser)->Create(Owner => $user->id, Description => $desc);
        die "could not create a token: $msg\n" unless $id;
        print "$token\n";' "$1" "$2" 2>>"$RT_STATE_DIR/token.log"
}

ensure_token() {
    local token=""
    [ -s "$TOKEN_FILE" ] && token=$(cat "$TOKEN_FILE")
    if [ -z "$token" ] || [ "$(http_code -H "Authorization: token $token" "${API_URL}queues/all")" != 200 ]; then
        token=$(make_token "$RT_BOT_USER" "Intake service (rt.sh)") || die "token creation failed (log: $RT_STATE_DIR/token.log)"
        (umask 077; printf '%s\n' "$token" > "$TOKEN_FILE")
        [ "$(http_code -H "Authorization: token $token" "${API_URL}queues/all")" = 200 ] || die "REST2 rejects the new token"
    fi
    # The snapshot reset-db restores: initialised DB, token included.
    [ -s "$PRISTINE" ] || as_rt sqlite3 "$DB_FILE" ".backup '$PRISTINE'"
    (umask 077; cat > "$ENV_FILE" <<EOF
RT_URL=$API_URL
RT_BASE_URL=$BASE_URL
RT_TOKEN=$token
RT_QUEUE=$RT_QUEUE
RT_USER=$RT_BOT_USER
RT_PASSWORD=$RT_BOT_PASSWORD
RT_TECHNICIAN=dana
RT_STATE_DIR=$RT_STATE_DIR
RT_MBOX_DIR=/var/lib/request-tracker$V
EOF
)
}

print_env() {
    [ -r "$ENV_FILE" ] || die "no $ENV_FILE: run '$SELF start' first"
    server_pid >/dev/null || die "RT is not running: run '$SELF start'"
    cat "$ENV_FILE"
}

# ------------------------------------------------------------------------------------ main
case "${1:-start}" in
    start)
        need_root
        t0=$SECONDS
        mkdir -p "$RT_STATE_DIR"; chmod 755 "$RT_STATE_DIR"
        install_packages
        write_config
        init_db
        start_server
        ensure_token
        log "RT ready at $API_URL in $((SECONDS - t0)) s (stop: $SELF stop)"
        print_env
        ;;
    stop) stop_server ;;
    status)
        code=$(http_code "$API_URL")
        log "REST2 HTTP ${code:-none}; pid $(server_pid || echo none)"
        [ "$code" = 200 ] || [ "$code" = 401 ]
        ;;
    reset-db)
        need_root
        [ -s "$PRISTINE" ] || die "no snapshot $PRISTINE: run '$SELF start' first"
        stop_server
        as_rt cp "$PRISTINE" "$DB_FILE.tmp"; mv "$DB_FILE.tmp" "$DB_FILE"; rm -f "$DB_FILE-journal"
        exec "$SELF" start
        ;;
    env) print_env ;;
    wipe) need_root; stop_server; rm -rf "$(dirname "$DB_FILE")" "$TOKEN_FILE" "$ENV_FILE"; log "wiped $RT_STATE_DIR" ;;
    token)
        need_root; [ -n "${2:-}" ] || die "usage: $SELF token USER"
        make_token "$2" "${3:-rt.sh token}" || { tail -1 "$RT_STATE_DIR/token.log" >&2; die "no token for $2"; }
        ;;
    *) die "unknown command '$1' (start|stop|status|reset-db|env|wipe|token USER)" ;;
esac
