#!/bin/sh
# NanoClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# NanoClaw's own steps. NanoClaw has no config file: it reads a .env in its working
# directory (= the state dir; the code lives in /opt/nanoclaw), and its channel
# adapters read their tokens from that file only. The library renders it for
# NanoClaw's parser (src/env.ts readEnvFile: one pair of outer quotes stripped, no
# escapes): every value as KEY="value", byte for byte; a value with a line break,
# which that parser cannot carry, is refused naming the variable. Before the start
# this file checks what NanoClaw needs and would otherwise get wrong or fail on late:
# a OneCLI vault it was told about (upstream silently uses the OneCLI cloud), a
# reachable Docker API for its agents, and (on a local engine) whether that engine
# sees the state dir at the same path, which the agents' bind mounts need.
# Sourcing this file defines the functions only; it runs claw_main when executed.
# shellcheck source=../shared/clawlab-entrypoint.sh
. "${CLAW_LIB_DIR:-/usr/local/lib/clawlab}/clawlab-entrypoint.sh"


# The socket a Docker API is looked for at when DOCKER_HOST is unset (the docker CLI's default).
NANOCLAW_DEFAULT_DOCKER_SOCKET=${NANOCLAW_DEFAULT_DOCKER_SOCKET:-/var/run/docker.sock}
# The OneCLI cloud (the SDK's default when ONECLI_URL is unset).
NANOCLAW_ONECLI_CLOUD=https://app.onecli.sh

# _nanoclaw_err VAR REASON: one "clawlab: VAR: REASON" line on stderr, counted in _nanoclaw_nerr (never a value).
_nanoclaw_err() {
	printf 'clawlab: %s: %s\n' "$1" "$2" >&2
	_nanoclaw_nerr=$((${_nanoclaw_nerr:-0} + 1))
}

# _nanoclaw_ping KIND ADDRESS: "ok" when a Docker API answers GET /_ping on ADDRESS
# (unix: a socket path; tcp: host:port, plain HTTP), else the reason. perl-base is in
# every Debian image, so no client is needed for the check.
_nanoclaw_ping() {
	perl -MIO::Socket::UNIX -MIO::Socket::INET -e '
		my ($kind, $addr) = @ARGV;
		my $s = $kind eq "unix"
			? IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $addr, Timeout => 3)
			: IO::Socket::INET->new(PeerAddr => $addr, Proto => "tcp", Timeout => 3);
		if (!$s) { my $e = "$!"; print $e =~ /denied/i ? "permission denied (the runtime user needs the socket'"'"'s group: --group-add <gid>, or CLAW_GROUPS=<gid> when started as root)" : "cannot connect ($e)"; exit 1 }
		$SIG{PIPE} = "IGNORE";
		local $SIG{ALRM} = sub { print "no answer within 5s"; exit 1 };
		alarm 5;
		print $s "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n" or do { print "not a Docker API (it closed the connection)"; exit 1 };
		my $status = <$s> // "";
		if ($status =~ m{^HTTP/1\.[01] 200}) { print "ok"; exit 0 }
		$status =~ s/[\r\n]+$//;
		print $status eq "" ? "not a Docker API (no HTTP answer to GET /_ping)" : "not a Docker API (GET /_ping: " . substr($status, 0, 40) . ")"; exit 1;
	' "$1" "$2"
}

# _nanoclaw_state_mount SOCKET: how the engine behind the unix SOCKET mounts this
# container's state dir: "<type> <source>" (bind /var/lib/nanoclaw, volume
# /var/lib/docker/volumes/...), "none", or nothing with status 1 when it cannot tell
# (no container named $HOSTNAME on that engine, no answer). The container is looked up
# by its hostname: Docker's default hostname is the short id, and the fleet sets the
# hostname to the container name; the API takes either.
# shellcheck disable=SC3028 # HOSTNAME comes from the environment: Docker sets it in every container
_nanoclaw_state_mount() {
	case ${HOSTNAME-} in '' | *[!A-Za-z0-9_.-]*) return 1 ;; esac
	perl -MIO::Socket::UNIX -e '
		my ($sock, $id, $dir) = @ARGV;
		my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $sock, Timeout => 3) or exit 1;
		$SIG{PIPE} = "IGNORE";
		local $SIG{ALRM} = sub { exit 1 };
		alarm 5;
		print $s "GET /containers/$id/json HTTP/1.0\r\nHost: docker\r\n\r\n" or exit 1;
		local $/;
		my $r = <$s> // "";
		$r =~ m{^HTTP/1\.[01] 200} or exit 1;
		for my $m ($r =~ /\{([^{}]*"Destination":"\Q$dir\E"[^{}]*)\}/g) {
			my ($type) = $m =~ /"Type":"([^"]*)"/;
			my ($src) = $m =~ /"Source":"([^"]*)"/;
			print(($type // "?") . " " . ($src // "?"));
			exit 0;
		}
		print "none";
	' "$1" "$HOSTNAME" "$CLAW_STATE_DIR"
}

# nanoclaw_check_state_path SOCKET: NanoClaw bind-mounts paths under its state dir (and
# its TMPDIR, kept inside it) into every agent container by the paths it sees, so the
# engine must see the state dir at the same path: a host directory bind-mounted at
# $CLAW_STATE_DIR. A named volume works for NanoClaw itself, but its agents would get
# empty directories, created as root on the engine's host. Warns (the start goes on:
# NanoClaw runs, its agents do not); silent when the engine cannot tell.
nanoclaw_check_state_path() {
	_nanoclaw_m=$(_nanoclaw_state_mount "$1") || return 0
	case $_nanoclaw_m in
	"bind $CLAW_STATE_DIR") ;;
	none) claw_warn CLAW_STATE_DIR "the Docker engine sees no mount at $CLAW_STATE_DIR in this container: NanoClaw's agent containers would get empty directories for their bind mounts; mount the host directory $CLAW_STATE_DIR at the same path (-v $CLAW_STATE_DIR:$CLAW_STATE_DIR)" ;;
	*) claw_warn CLAW_STATE_DIR "the Docker engine mounts $CLAW_STATE_DIR from ${_nanoclaw_m%% *} ${_nanoclaw_m#* }, not from the same path on its host: NanoClaw's agent containers would get empty directories (created as root on that host) for their bind mounts; mount the host directory $CLAW_STATE_DIR at the same path (-v $CLAW_STATE_DIR:$CLAW_STATE_DIR)" ;;
	esac
}

# nanoclaw_check_docker: NanoClaw runs `docker info` at start (fatal) and one agent
# container per session: check that the Docker API it will use answers. Reads
# DOCKER_HOST (unset: the socket at NANOCLAW_DEFAULT_DOCKER_SOCKET); counts errors.
nanoclaw_check_docker() {
	case ${DOCKER_HOST-} in
	'')
		if [ ! -S "$NANOCLAW_DEFAULT_DOCKER_SOCKET" ]; then
			_nanoclaw_err DOCKER_HOST "not set, and no Docker socket at $NANOCLAW_DEFAULT_DOCKER_SOCKET: NanoClaw spawns its agents through a Docker API; set DOCKER_HOST (tcp://docker-proxy:2375, ssh://user@agent-host, unix:///path) or mount a socket there (the host's own socket gives root on the host: an explicit opt-in)"
			return
		fi
		_nanoclaw_r=$(_nanoclaw_ping unix "$NANOCLAW_DEFAULT_DOCKER_SOCKET") ||
			{ _nanoclaw_err DOCKER_HOST "not set, and the socket at $NANOCLAW_DEFAULT_DOCKER_SOCKET does not work: $_nanoclaw_r"; return; }
		claw_warn DOCKER_HOST "not set: agents are spawned through the Docker socket mounted at $NANOCLAW_DEFAULT_DOCKER_SOCKET; if that is the host's engine, this container is root on the host"
		nanoclaw_check_state_path "$NANOCLAW_DEFAULT_DOCKER_SOCKET"
		;;
	unix:///*)
		if _nanoclaw_r=$(_nanoclaw_ping unix "${DOCKER_HOST#unix://}"); then
			nanoclaw_check_state_path "${DOCKER_HOST#unix://}"
		else
			_nanoclaw_err DOCKER_HOST "the Docker API at this unix socket does not answer: $_nanoclaw_r"
		fi
		;;
	tcp://?*)
		_nanoclaw_a=${DOCKER_HOST#tcp://}
		_nanoclaw_a=${_nanoclaw_a%%/*}
		case $_nanoclaw_a in *:*) ;; *) _nanoclaw_a=$_nanoclaw_a:2375 ;; esac
		if [ -n "${DOCKER_TLS_VERIFY-}" ] || [ -n "${DOCKER_CERT_PATH-}" ]; then
			# TLS: the docker CLI checks it; only the TCP connection is checked here.
			perl -MIO::Socket::INET -e 'IO::Socket::INET->new(PeerAddr => $ARGV[0], Proto => "tcp", Timeout => 3) or exit 1' "$_nanoclaw_a" ||
				_nanoclaw_err DOCKER_HOST "cannot connect to the Docker API's TCP address"
		else
			_nanoclaw_r=$(_nanoclaw_ping tcp "$_nanoclaw_a") ||
				_nanoclaw_err DOCKER_HOST "the Docker API at this TCP address does not answer: $_nanoclaw_r"
		fi
		;;
	ssh://?*)
		# The docker CLI runs `ssh` itself (keys in ~/.ssh on the volume); nothing to check without them.
		;;
	*)
		_nanoclaw_err DOCKER_HOST "must be unix:///path, tcp://host[:port] or ssh://[user@]host"
		;;
	esac
}

# nanoclaw_check: what NanoClaw needs beyond its .env. Reads ONECLI_URL, DOCKER_HOST,
# CLAW_ANTHROPIC_API_KEY; returns 1 after printing every problem.
nanoclaw_check() {
	_nanoclaw_nerr=0
	case ${ONECLI_URL-} in
	'') _nanoclaw_err ONECLI_URL "not set: NanoClaw would broker agent credentials through the OneCLI cloud ($NANOCLAW_ONECLI_CLOUD); set it to your OneCLI gateway, or to $NANOCLAW_ONECLI_CLOUD to choose the cloud explicitly" ;;
	http://?* | https://?*) ;;
	*) _nanoclaw_err ONECLI_URL "must be an http:// or https:// URL" ;;
	esac
	case ${ONECLI_URL-} in "$NANOCLAW_ONECLI_CLOUD" | "$NANOCLAW_ONECLI_CLOUD"/) claw_warn ONECLI_URL "agent credentials are brokered by the OneCLI cloud service" ;; esac
	[ -z "${CLAW_ANTHROPIC_API_KEY-}" ] ||
		claw_warn CLAW_ANTHROPIC_API_KEY "written to .env, but NanoClaw v2.0.64 does not read ANTHROPIC_API_KEY: agents get their credentials from the OneCLI vault"
	nanoclaw_check_docker
	[ "$_nanoclaw_nerr" -eq 0 ]
}

# The agent side of upstream's tree (container/: the agent-runner source its agents run
# with bun, skills, the shared CLAUDE.md, the agent image's Dockerfile), shipped by the image.
NANOCLAW_AGENT_TREE=${NANOCLAW_AGENT_TREE:-/opt/nanoclaw/container}

# nanoclaw_sync_agent_tree: NanoClaw resolves container/ against its working directory
# (= the state dir) and bind-mounts container/agent-runner/src, container/skills and
# container/CLAUDE.md into every agent container by that path, so the tree must be a
# real copy inside the state dir (a symlink to /opt would be resolved on the engine's
# host). Refreshed when the image's copy differs (a new image), else left alone.
# Nothing to do when the image has no tree (the test stand-in).
nanoclaw_sync_agent_tree() {
	[ -d "$NANOCLAW_AGENT_TREE" ] || return 0
	if [ -d container ] && diff -r "$NANOCLAW_AGENT_TREE" container >/dev/null 2>&1; then
		return 0
	fi
	if ! { rm -rf container.new &&
		cp -R "$NANOCLAW_AGENT_TREE" container.new &&
		rm -rf container &&
		mv container.new container; }; then
		_claw_die "cannot copy $NANOCLAW_AGENT_TREE to $CLAW_STATE_DIR/container"
	fi
}

# claw_hook_pre_exec: as the runtime user, after rendering: refuse a start NanoClaw
# would make fail late (or unsafely), create its directories, and run it from the
# state dir (all its paths are relative to the working directory). TMPDIR is tmp/
# inside the state dir: the OneCLI SDK writes the gateway's CA files to os.tmpdir()
# and NanoClaw bind-mounts them into the agents by that path, which must exist where
# the engine looks (the /tmp tmpfs of this container exists nowhere else).
claw_hook_pre_exec() {
	nanoclaw_check || exit 1
	cd "$CLAW_STATE_DIR" || _claw_die "cannot enter $CLAW_STATE_DIR"
	(umask 077 && mkdir -p data store groups logs tmp) || _claw_die "cannot create data/ store/ groups/ logs/ tmp/ in $CLAW_STATE_DIR"
	nanoclaw_sync_agent_tree
	TMPDIR=$CLAW_STATE_DIR/tmp
	export TMPDIR
}

# Run only when executed, not when sourced (tests source it as a library).
case ${0##*/} in
clawlab-entrypoint | entrypoint.sh) claw_main "$@" ;;
esac
