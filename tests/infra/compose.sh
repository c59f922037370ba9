#!/bin/sh
# compose.sh: Debian's docker-compose (1.29.2, the classic Python CLI), which the Compose
# test (tests/images/compose.test.ts) runs `clawlab compose`'s file with. Idempotent: when
# the package is installed, returns at once. Prints the binary's path on stdout.
set -eu
. "$(dirname "$0")/lib.sh"

apt_install docker-compose
/usr/bin/docker-compose version --short >/dev/null 2>&1 || die "docker-compose is installed but does not run"
echo /usr/bin/docker-compose
