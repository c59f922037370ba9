# shellcheck shell=bash
# health-socket.sh: the probe of CLAW_HEALTH_KIND=socket, sourced by clawlab-health
# (installed as /usr/local/lib/clawlab/health-socket.sh). Healthy when the unix socket
# CLAW_HEALTH_PATH accepts a connection: NanoClaw opens its control socket
# (data/ncl.sock) last, after its database, the Docker check and the channels are up.
# perl-base (Essential in every Debian image) does the connect: no client needed, and
# it works whatever the runtime is written in. One line of output, like clawlab-health.

# claw_health_probe: 0 when CLAW_HEALTH_PATH accepts a connection within CLAW_HEALTH_TIMEOUT seconds.
claw_health_probe() {
	local sock=${CLAW_HEALTH_PATH-} why
	[ -n "$sock" ] || {
		printf 'clawlab-health: unhealthy: CLAW_HEALTH_PATH is empty (image bug)\n'
		return 1
	}
	if [ ! -S "$sock" ]; then
		printf 'clawlab-health: unhealthy: no socket at %s\n' "$sock"
		return 1
	fi
	if why=$(perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0], Timeout => $ARGV[1]);
		if ($s) { close $s; exit 0 } print "$!"; exit 1' "$sock" "${CLAW_HEALTH_TIMEOUT:-4}" 2>&1); then
		printf 'clawlab-health: ok: connected to %s\n' "$sock"
		return 0
	fi
	printf 'clawlab-health: unhealthy: cannot connect to %s: %s\n' "$sock" "${why:0:80}"
	return 1
}
