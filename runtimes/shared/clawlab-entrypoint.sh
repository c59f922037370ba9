# shellcheck shell=sh
# clawlab-entrypoint.sh: the entrypoint library every ClawLab runtime image shares.
#
# A runtime's entrypoint.sh sources this file and calls `claw_main "$@"`; the
# default command (CLAW_COMMAND) comes from runtime.conf, as the image's CMD does. Sourcing only defines functions: nothing
# runs, so tests and other scripts can source it too. POSIX sh (dash, busybox sh);
# the per-variable work is one awk pass (render.awk, beside this file).
#
# Reads: $CLAW_RUNTIME_CONF (default /usr/local/share/clawlab/runtime.conf),
#        $CLAW_CONTRACT     (default /usr/local/share/clawlab/env.contract),
#        $CLAW_LIB_DIR      (default /usr/local/lib/clawlab, holds render.awk),
#        $CLAW_AWK          (default awk).
# Public functions start with claw_, private helpers with _claw_, private
# variables with _claw_. Values are never printed and tracing is switched off.
# See README.md beside this file.

# _claw_err WHO REASON: print "clawlab: WHO: REASON" on stderr and count it in _claw_nerr (never pass a value).
_claw_err() {
	printf 'clawlab: %s: %s\n' "$1" "$2" >&2
	_claw_nerr=$((${_claw_nerr:-0} + 1))
}

# claw_warn WHO MESSAGE: print a loud "clawlab: WARNING: WHO: MESSAGE" on stderr (for allowed-but-insecure settings; never pass a value).
claw_warn() {
	printf 'clawlab: WARNING: %s: %s\n' "$1" "$2" >&2
}

# _claw_die MESSAGE: print "clawlab: MESSAGE" on stderr and exit 1.
_claw_die() {
	printf 'clawlab: %s\n' "$1" >&2
	exit 1
}

# claw_load_conf: source $CLAW_RUNTIME_CONF, check its required variables, set the library defaults (CLAW_CONTRACT, CLAW_LIB_DIR, CLAW_AWK, CLAW_GID).
claw_load_conf() {
	CLAW_RUNTIME_CONF=${CLAW_RUNTIME_CONF:-/usr/local/share/clawlab/runtime.conf}
	CLAW_CONTRACT=${CLAW_CONTRACT:-/usr/local/share/clawlab/env.contract}
	CLAW_LIB_DIR=${CLAW_LIB_DIR:-/usr/local/lib/clawlab}
	CLAW_AWK=${CLAW_AWK:-awk}
	case $CLAW_RUNTIME_CONF in /*) ;; *) CLAW_RUNTIME_CONF=./$CLAW_RUNTIME_CONF ;; esac
	[ -r "$CLAW_RUNTIME_CONF" ] || _claw_die "cannot read $CLAW_RUNTIME_CONF (image bug)"
	# shellcheck source=/dev/null
	. "$CLAW_RUNTIME_CONF"
	for _claw_v in CLAW_RUNTIME CLAW_USER CLAW_UID CLAW_STATE_DIR CLAW_CONFIG_FORMAT CLAW_CONFIG_BAKED CLAW_CONFIG_PATH; do
		eval "_claw_x=\${$_claw_v-}"
		[ -n "$_claw_x" ] || _claw_die "$CLAW_RUNTIME_CONF: $_claw_v is not set (image bug)"
	done
	CLAW_GID=${CLAW_GID:-$CLAW_UID}
	case $CLAW_UID:$CLAW_GID in
	*[!0-9:]* | :* | *:) _claw_die "$CLAW_RUNTIME_CONF: CLAW_UID/CLAW_GID must be numeric (image bug)" ;;
	esac
	case $CLAW_CONFIG_PATH in
	/*/*) ;;
	*) _claw_die "$CLAW_RUNTIME_CONF: CLAW_CONFIG_PATH must be an absolute path in a directory (image bug)" ;;
	esac
	[ -r "$CLAW_CONTRACT" ] || _claw_die "cannot read $CLAW_CONTRACT (image bug)"
	[ -r "$CLAW_LIB_DIR/render.awk" ] || _claw_die "cannot read $CLAW_LIB_DIR/render.awk (image bug)"
}

# claw_file_env VAR: when VAR_FILE is set, export VAR = that file's bytes minus one trailing newline and unset VAR_FILE; VAR and VAR_FILE both set is an error.
claw_file_env() {
	case $1 in
	'' | [0-9]* | *[!A-Za-z0-9_]*)
		_claw_err "$1" "not a variable name"
		return 1
		;;
	esac
	# (the name is checked above, so eval only ever sees NAME_FILE / NAME)
	_claw_fe_has='' _claw_fe_file='' _claw_fe_both=''
	eval "_claw_fe_has=\${${1}_FILE+x} _claw_fe_file=\${${1}_FILE-} _claw_fe_both=\${$1+x}"
	[ -n "$_claw_fe_has" ] || return 0
	if [ -n "$_claw_fe_both" ]; then
		_claw_err "$1" "both $1 and ${1}_FILE are set; set only one of them"
		return 1
	fi
	if [ ! -f "$_claw_fe_file" ] || [ ! -r "$_claw_fe_file" ]; then
		_claw_err "${1}_FILE" "$_claw_fe_file is not a readable file"
		return 1
	fi
	# The x keeps trailing newlines from $(...); then exactly one is removed.
	_claw_fe_val=$(cat -- "$_claw_fe_file" && printf x) || {
		_claw_err "${1}_FILE" "cannot read $_claw_fe_file"
		return 1
	}
	_claw_fe_val=${_claw_fe_val%x}
	# $(...) drops NUL bytes silently: compare sizes (bytes in dash; busybox may
	# count characters under a UTF-8 locale, so a mismatch is confirmed with tr).
	_claw_fe_size=$(($(wc -c <"$_claw_fe_file")))
	if [ "${#_claw_fe_val}" -ne "$_claw_fe_size" ] &&
		[ "$(tr -d '\000' <"$_claw_fe_file" | wc -c)" -ne "$_claw_fe_size" ]; then
		_claw_err "${1}_FILE" "$_claw_fe_file contains a NUL byte, which no environment variable can hold"
		return 1
	fi
	if [ "$_claw_fe_size" -gt 131000 ]; then
		_claw_err "${1}_FILE" "$_claw_fe_file is larger than 128 KiB"
		return 1
	fi
	_claw_fe_val=${_claw_fe_val%"
"}
	export "$1=$_claw_fe_val"
	unset "${1}_FILE" _claw_fe_val
}

# claw_file_env_all: claw_file_env for every secret of $CLAW_CONTRACT (glob names too); lists the file-target secrets in _claw_file_secrets.
claw_file_env_all() {
	_claw_file_secrets=
	_claw_globs=
	# A read loop costs no subprocess; contract lines are NAME TYPE SECRET TARGET DEFAULT.
	while IFS='	' read -r _claw_n _claw_t _claw_s _claw_tg _claw_d || [ -n "$_claw_n" ]; do
		case $_claw_n in '' | '#'*) continue ;; esac
		[ "$_claw_s" = secret ] || continue
		case $_claw_n in
		*'*'*) _claw_globs="$_claw_globs $_claw_n" ;;
		*[!A-Za-z0-9_]*) ;;
		*)
			claw_file_env "$_claw_n" || :
			[ "$_claw_tg" = env ] || _claw_file_secrets="$_claw_file_secrets $_claw_n"
			;;
		esac
	done <"$CLAW_CONTRACT"
	[ -n "$_claw_globs" ] || return 0
	# Glob secrets (TARGET env): one awk lists the NAME_FILE variables that are set.
	case $- in *f*) _claw_noglob=1 ;; *) _claw_noglob= ;; esac
	set -f
	for _claw_n in $(LC_ALL=C "$CLAW_AWK" 'BEGIN { for (k in ENVIRON) if (k ~ /^[A-Za-z_][A-Za-z0-9_]*_FILE$/) print substr(k, 1, length(k) - 5) }'); do
		for _claw_g in $_claw_globs; do
			# shellcheck disable=SC2254
			case $_claw_n in $_claw_g)
				claw_file_env "$_claw_n" || :
				break
				;;
			esac
		done
	done
	[ -n "$_claw_noglob" ] || set +f
}

# _claw_awk MODE [OUT]: run render.awk in MODE (render|print|validate|check) under LC_ALL=C and umask 077, to OUT or stdout.
_claw_awk() {
	(
		umask 077
		export LC_ALL=C _CLAW_MODE="$1" _CLAW_CONTRACT="$CLAW_CONTRACT" \
			_CLAW_BAKED="$CLAW_CONFIG_BAKED" _CLAW_FORMAT="$CLAW_CONFIG_FORMAT"
		if [ -n "${2-}" ]; then
			exec "$CLAW_AWK" -f "$CLAW_LIB_DIR/render.awk" >"$2"
		fi
		exec "$CLAW_AWK" -f "$CLAW_LIB_DIR/render.awk"
	)
}

# claw_render [MODE]: validate the set contract variables and render CLAW_CONFIG_BAKED + env; render (default) replaces CLAW_CONFIG_PATH atomically (0600) — or, when CLAW_CONFIG_SEED_ONLY=true, writes it only if missing — print writes stdout with secrets masked, validate only reports.
claw_render() {
	case ${1:-render} in
	render)
		# A seed-only config is the runtime's own state once written: validate, never replace.
		if [ "${CLAW_CONFIG_SEED_ONLY:-false}" = true ] && [ -e "$CLAW_CONFIG_PATH" ]; then
			_claw_awk validate
			return
		fi
		if [ ! -w "${CLAW_CONFIG_PATH%/*}" ]; then
			_claw_uid_now
			_claw_err CLAW_CONFIG_PATH "${CLAW_CONFIG_PATH%/*} is not writable by uid $_claw_uid (start as root to fix ownership, or fix the volume)"
			_claw_awk validate || :
			return 1
		fi
		_claw_tmp=${CLAW_CONFIG_PATH%/*}/.${CLAW_CONFIG_PATH##*/}.clawlab-new.$$
		if ! _claw_awk render "$_claw_tmp"; then
			rm -f -- "$_claw_tmp"
			return 1
		fi
		if ! mv -f -- "$_claw_tmp" "$CLAW_CONFIG_PATH"; then
			rm -f -- "$_claw_tmp"
			_claw_err CLAW_CONFIG_PATH "cannot replace $CLAW_CONFIG_PATH (mount its directory, not the file)"
			return 1
		fi
		;;
	print | validate) _claw_awk "$1" ;;
	*) _claw_die "claw_render: unknown mode $1" ;;
	esac
}

# claw_setup_env: claw_file_env_all, then validation; on any error print them all (awk adds its own) and exit 1.
claw_setup_env() {
	_claw_nerr=0
	claw_file_env_all
	if [ "$_claw_nerr" -gt 0 ]; then
		claw_render validate || :
		exit 1
	fi
}

# claw_print_config: render exactly as a start does, to stdout, with every secret value set from the environment shown as "***".
claw_print_config() {
	claw_setup_env
	claw_render print
}

# claw_check_baked: image self-test: the contract parses, every file target is a value line of the canonical baked config, and rendering with no overrides reproduces it byte for byte.
claw_check_baked() {
	_claw_tmp=${TMPDIR:-/tmp}/clawlab-check.$$
	if ! _claw_awk check "$_claw_tmp"; then
		rm -f -- "$_claw_tmp"
		return 1
	fi
	if ! cmp -s -- "$CLAW_CONFIG_BAKED" "$_claw_tmp"; then
		rm -f -- "$_claw_tmp"
		_claw_err "$CLAW_CONFIG_BAKED" "rendering with no overrides changes it (it must end with one newline) (image bug)"
		return 1
	fi
	rm -f -- "$_claw_tmp"
	printf 'clawlab: %s: %s and %s are consistent\n' "$CLAW_RUNTIME" "$CLAW_CONTRACT" "$CLAW_CONFIG_BAKED"
}

# claw_is_runtime ARG: true when ARG is the runtime binary, the first word of CLAW_COMMAND (same path or same basename).
claw_is_runtime() {
	_claw_bin=${CLAW_COMMAND%%[ 	]*}
	[ "$1" = "$_claw_bin" ] || [ "${1##*/}" = "${_claw_bin##*/}" ]
}

# _claw_uid_now: set _claw_uid to the effective uid (from /proc/self/status, no subprocess; id -u as fallback).
_claw_uid_now() {
	_claw_uid=
	if [ -r /proc/self/status ]; then
		while read -r _claw_k _claw_r _claw_e _claw_rest; do
			if [ "$_claw_k" = Uid: ]; then
				_claw_uid=$_claw_e
				break
			fi
		done </proc/self/status
	fi
	[ -n "$_claw_uid" ] || _claw_uid=$(id -u)
}

# claw_prepare_state: create CLAW_STATE_DIR (0700) and the config's directory when missing; as root, chown only the entries under CLAW_STATE_DIR whose owner or group is wrong (no -R, symlinks not followed, one filesystem).
claw_prepare_state() {
	_claw_cfgdir=${CLAW_CONFIG_PATH%/*}
	if [ ! -d "$CLAW_STATE_DIR" ]; then
		# shellcheck disable=SC2174 # 0700 is meant for the state dir itself only
		mkdir -p -m 0700 -- "$CLAW_STATE_DIR" || _claw_die "cannot create $CLAW_STATE_DIR"
	fi
	if [ ! -d "$_claw_cfgdir" ]; then
		mkdir -p -- "$_claw_cfgdir" || _claw_die "cannot create $_claw_cfgdir"
	fi
	_claw_uid_now
	[ "$_claw_uid" = 0 ] || return 0
	find "$CLAW_STATE_DIR" -xdev \( ! -uid "$CLAW_UID" -o ! -gid "$CLAW_GID" \) \
		-exec chown -h -- "$CLAW_UID:$CLAW_GID" {} + ||
		_claw_die "cannot fix the ownership of $CLAW_STATE_DIR"
}

# claw_drop CMD...: exec CMD as CLAW_UID:CLAW_GID with setpriv: no supplementary groups (or exactly CLAW_GROUPS), no inheritable capabilities; HOME moves off /root.
claw_drop() {
	case ${HOME:-/root} in /root) export HOME="${CLAW_HOME:-$CLAW_STATE_DIR}" ;; esac
	if [ -n "${CLAW_GROUPS-}" ]; then
		case $CLAW_GROUPS in *[!0-9,]* | ,* | *,) _claw_die "CLAW_GROUPS: must be numeric gids separated by commas" ;; esac
		set -- "--groups=$CLAW_GROUPS" -- "$@"
	else
		set -- --clear-groups -- "$@"
	fi
	command -v setpriv >/dev/null || _claw_die "setpriv not found (util-linux) (image bug)"
	exec setpriv "--reuid=$CLAW_UID" "--regid=$CLAW_GID" --inh-caps=-all "$@"
}

# claw_hook_root CMD...: runtime-specific root-only work before the drop; a runtime's entrypoint.sh may redefine it (default: nothing).
claw_hook_root() { :; }

# claw_hook_pre_exec CMD...: runtime-specific work as the runtime user after rendering, before exec; may be redefined (default: nothing).
claw_hook_pre_exec() { :; }

# claw_start CMD...: the runtime start. As root: secrets from files, ownership, claw_hook_root, then re-exec this entrypoint as the runtime user. As the user: validate, render, claw_hook_pre_exec, drop file-target secrets from the environment, exec CMD.
claw_start() {
	claw_setup_env
	_claw_uid_now
	if [ "$_claw_uid" = 0 ] && [ "$CLAW_UID" != 0 ]; then
		claw_hook_root "$@"
		claw_prepare_state
		claw_drop "${CLAW_ENTRYPOINT:-$0}" "$@"
	fi
	claw_prepare_state
	claw_render render || exit 1
	claw_hook_pre_exec "$@"
	# File-target secrets now live in the 0600 config only; keep them out of
	# the runtime's environment (and out of every child process it spawns).
	set -f
	# shellcheck disable=SC2086
	[ -z "$_claw_file_secrets" ] || unset $_claw_file_secrets
	set +f
	exec "$@"
}

# claw_main ARGS...: the driver: no args or a leading -flag -> CLAW_COMMAND + args; print-config / check-baked; any other command than the runtime is exec'd untouched; else claw_start.
claw_main() {
	set +x
	IFS=' 	
'
	claw_load_conf
	[ -n "${CLAW_COMMAND-}" ] || _claw_die "$CLAW_RUNTIME_CONF: CLAW_COMMAND is not set (image bug)"
	if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
		set -f
		# shellcheck disable=SC2086
		set -- $CLAW_COMMAND "$@"
		set +f
	fi
	case $1 in
	print-config)
		claw_print_config
		exit $?
		;;
	check-baked)
		_claw_nerr=0
		claw_check_baked
		exit $?
		;;
	esac
	claw_is_runtime "$1" || exec "$@"
	claw_start "$@"
}
