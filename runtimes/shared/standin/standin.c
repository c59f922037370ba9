/*
 * clawlab-standin: a test stand-in for a claw runtime binary.
 *
 * The image tests cannot compile the real runtimes here (no registry, no
 * toolchains), so the Dockerfiles' `standin` stage installs this program under
 * the runtime's binary name. It behaves like the runtime where the image is
 * concerned:
 *   - it reads the same files and variables the real runtime reads to decide
 *     where to listen (argv flags, native env, the native config file; see the
 *     SPECS table) and defaults to loopback like every real runtime, so an image
 *     that forgets to open the listener to the container's network fails;
 *   - it answers the health path with the real runtime's body, so the image's
 *     HEALTHCHECK (/usr/local/bin/clawlab-health) is exercised for real;
 *   - it serves only when started with the runtime's server subcommand; any
 *     other invocation (e.g. `microclaw web password ...`) is a one-shot that is
 *     recorded in <state dir>/.standin/calls.jsonl and exits 0;
 *   - it exits 0 on SIGTERM and SIGINT and says which one it got;
 *   - with CLAW_STANDIN_EXIT_AFTER_BIND=1 it exits 0 as soon as it listens (the
 *     benchmark times whole `docker run`s of the start path with it).
 *
 * Test endpoints (never in a real image):
 *   GET /__standin          JSON: argv, uid/gid/groups, caps, no_new_privs, cwd,
 *                           the config path it resolved, listen address, environ
 *   GET /__standin/degrade  health answers 200 with a body WITHOUT the fragment
 *   GET /__standin/fail     health answers 503
 *   GET /__standin/ok       health answers normally again
 *   any other path          200 text/html, like a web UI's catch-all route
 *
 * Runtime facts come from /usr/local/share/clawlab/runtime.conf (CLAW_RUNTIME_CONF
 * overrides): CLAW_RUNTIME selects the SPECS row, CLAW_PORT/CLAW_HEALTH_* and
 * CLAW_CONFIG_PATH (the file the entrypoint renders) fill in for runtimes without a
 * row, such as a new one from `clawlab runtime init`. CLAW_STANDIN_LISTEN=host:port forces the address.
 * Secrets are never logged: the log names argc and the subcommand only, and an
 * argv word after "password" is recorded as an FNV-1a hash.
 *
 * Build (static, no dependencies): gcc -O2 -static -o clawlab-standin standin.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

/*
 * Where each runtime listens and what it answers, as the real one does.
 * host/port/config: space-separated sources, the first that yields a value wins:
 *   argv:FLAG   the word after FLAG (or FLAG=value) on the command line
 *   env:NAME    a non-empty environment variable
 *   conf:KEY    the first `KEY = v` / `"KEY": v` / `KEY: v` line of the config file
 *   path:TPL    (config only) TPL with ${VAR} expanded; skipped if a VAR is unset
 *   =VALUE      a literal default
 * serve: the subcommands that start the server (anything else is a one-shot).
 * body: the real health body; the degraded body drops the checked fragment.
 */
struct spec {
	const char *runtime, *serve, *host, *port, *config, *body;
	int config_required;
};

static const struct spec SPECS[] = {
	/* zeroclaw daemon [--host H] [--port P]; ZEROCLAW_gateway__port; config.toml in the config dir */
	{"zeroclaw", "daemon", "argv:--host conf:host =127.0.0.1",
	 "argv:--port argv:-p env:ZEROCLAW_gateway__port conf:port =42617",
	 "path:${ZEROCLAW_CONFIG_DIR}/config.toml path:${HOME}/.zeroclaw/config.toml",
	 "{\"status\":\"ok\",\"paired\":true,\"require_pairing\":true,\"runtime\":{\"standin\":true}}", 0},
	/* picoclaw gateway [--host H]; PICOCLAW_GATEWAY_HOST/PORT; $PICOCLAW_CONFIG or $PICOCLAW_HOME/config.json */
	{"picoclaw", "gateway", "argv:--host env:PICOCLAW_GATEWAY_HOST conf:host =127.0.0.1",
	 "env:PICOCLAW_GATEWAY_PORT conf:port =18790",
	 "path:${PICOCLAW_CONFIG} path:${PICOCLAW_HOME}/config.json path:${HOME}/.picoclaw/config.json",
	 "{\"status\":\"ok\",\"uptime\":\"1s\",\"pid\":1}", 0},
	/* nullclaw gateway [--host H] [--port P]; NULLCLAW_GATEWAY_*; fixed $HOME/.nullclaw/config.json */
	{"nullclaw", "gateway", "argv:--host env:NULLCLAW_GATEWAY_HOST conf:host =127.0.0.1",
	 "argv:--port argv:-p env:NULLCLAW_GATEWAY_PORT conf:port =3000", "path:${HOME}/.nullclaw/config.json",
	 "{\"status\":\"ok\"}", 0},
	/* ironclaw serve [--host H] [--port P]; [webui] listen_host/listen_port in $IRONCLAW_REBORN_HOME/config.toml */
	{"ironclaw", "serve", "argv:--host conf:listen_host =127.0.0.1", "argv:--port conf:listen_port =3000",
	 "path:${IRONCLAW_REBORN_HOME}/config.toml path:${HOME}/.ironclaw/reborn/config.toml",
	 "{\"status\":\"healthy\",\"channel\":\"reborn\"}", 0},
	/* microclaw --config PATH start; web_host/web_port in the YAML, which must exist */
	{"microclaw", "start", "conf:web_host =127.0.0.1", "conf:web_port =10961",
	 "argv:--config path:${MICROCLAW_CONFIG}", "{\"ok\":true,\"version\":\"0.5.0\",\"web_enabled\":true}", 1},
};

static int g_argc;
static char **g_argv;
static char conf_runtime[64], conf_port[16], conf_kind[16], conf_hpath[512], conf_hbody[512], conf_state[512], conf_cfg[1024];
static char cfg_path[1024];
static int cfg_exists;
static char listen_host[256];
static int listen_port;
static char body_ok[1024], body_bad[256];
static volatile sig_atomic_t got_signal;
static int health_mode; /* 0 ok, 1 degraded, 2 fail */

static void logmsg(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	fputs("clawlab-standin: ", stdout);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static void die(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	fputs("clawlab-standin: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ------------------------------------------------------------ runtime.conf */

/* Parses one sh word as contract-files.ts writes it: 'single quoted' with '\'' escapes. */
static void sh_unquote(const char *in, char *out, size_t cap) {
	size_t o = 0;
	while (*in && *in != '\n') {
		if (*in == '\'') {
			in++;
			while (*in && *in != '\'') {
				if (o + 1 < cap) out[o++] = *in;
				in++;
			}
			if (*in == '\'') in++;
		} else if (*in == '\\' && in[1]) {
			if (o + 1 < cap) out[o++] = in[1];
			in += 2;
		} else {
			if (o + 1 < cap) out[o++] = *in;
			in++;
		}
	}
	out[o] = 0;
}

static void read_runtime_conf(void) {
	const char *path = getenv("CLAW_RUNTIME_CONF");
	if (!path || !*path) path = "/usr/local/share/clawlab/runtime.conf";
	FILE *f = fopen(path, "r");
	if (!f) die("cannot read %s", path);
	char line[2048];
	while (fgets(line, sizeof line, f)) {
		char *eq = strchr(line, '=');
		if (!eq || line[0] == '#') continue;
		*eq = 0;
		const char *k = line, *v = eq + 1;
		if (!strcmp(k, "CLAW_RUNTIME")) sh_unquote(v, conf_runtime, sizeof conf_runtime);
		else if (!strcmp(k, "CLAW_PORT")) sh_unquote(v, conf_port, sizeof conf_port);
		else if (!strcmp(k, "CLAW_HEALTH_KIND")) sh_unquote(v, conf_kind, sizeof conf_kind);
		else if (!strcmp(k, "CLAW_HEALTH_PATH")) sh_unquote(v, conf_hpath, sizeof conf_hpath);
		else if (!strcmp(k, "CLAW_HEALTH_BODY")) sh_unquote(v, conf_hbody, sizeof conf_hbody);
		else if (!strcmp(k, "CLAW_STATE_DIR")) sh_unquote(v, conf_state, sizeof conf_state);
		else if (!strcmp(k, "CLAW_CONFIG_PATH")) sh_unquote(v, conf_cfg, sizeof conf_cfg);
	}
	fclose(f);
}

/* ------------------------------------------------------------ value sources */

static const char *argv_value(const char *flag) {
	size_t n = strlen(flag);
	for (int i = 1; i < g_argc; i++) {
		if (!strcmp(g_argv[i], flag) && i + 1 < g_argc) return g_argv[i + 1];
		if (!strncmp(g_argv[i], flag, n) && g_argv[i][n] == '=') return g_argv[i] + n + 1;
	}
	return NULL;
}

/* Expands ${VAR} in tpl; returns 0 when a referenced variable is unset or empty. */
static int expand(const char *tpl, char *out, size_t cap) {
	size_t o = 0;
	while (*tpl) {
		if (tpl[0] == '$' && tpl[1] == '{') {
			const char *end = strchr(tpl, '}');
			if (!end) return 0;
			char name[128];
			size_t n = (size_t)(end - tpl - 2);
			if (n >= sizeof name) return 0;
			memcpy(name, tpl + 2, n);
			name[n] = 0;
			const char *v = getenv(name);
			if (!v || !*v) return 0;
			size_t vl = strlen(v);
			if (o + vl >= cap) return 0;
			memcpy(out + o, v, vl);
			o += vl;
			tpl = end + 1;
		} else {
			if (o + 1 >= cap) return 0;
			out[o++] = *tpl++;
		}
	}
	out[o] = 0;
	return 1;
}

/* The value of KEY on the first matching line of the config (canonical one-key-per-line layouts). */
static int conf_value(const char *key, char *out, size_t cap) {
	if (!cfg_exists) return 0;
	FILE *f = fopen(cfg_path, "r");
	if (!f) return 0;
	char line[4096];
	size_t kl = strlen(key);
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *p = line;
		while (*p == ' ' || *p == '\t') p++;
		int quoted = (*p == '"');
		if (quoted) p++;
		if (strncmp(p, key, kl)) continue;
		p += kl;
		if (quoted) {
			if (*p != '"') continue;
			p++;
		}
		while (*p == ' ') p++;
		if (*p != '=' && *p != ':') continue;
		p++;
		while (*p == ' ') p++;
		char *e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ',' || e[-1] == ' ')) e--;
		if (e - p >= 2 && (*p == '"' || *p == '\'') && e[-1] == *p) {
			p++;
			e--;
		}
		size_t n = (size_t)(e - p);
		if (n >= cap) n = cap - 1;
		memcpy(out, p, n);
		out[n] = 0;
		found = 1;
	}
	fclose(f);
	return found;
}

/* Resolves a source list (see SPECS) into out; returns 1 on a value. */
static int resolve(const char *sources, char *out, size_t cap) {
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", sources ? sources : "");
	for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const char *v = NULL;
		if (!strncmp(tok, "argv:", 5)) v = argv_value(tok + 5);
		else if (!strncmp(tok, "env:", 4)) {
			v = getenv(tok + 4);
			if (v && !*v) v = NULL;
		} else if (!strncmp(tok, "conf:", 5)) {
			if (conf_value(tok + 5, out, cap)) return 1;
		} else if (!strncmp(tok, "path:", 5)) {
			if (expand(tok + 5, out, cap)) return 1;
		} else if (tok[0] == '=') v = tok + 1;
		if (v) {
			snprintf(out, cap, "%s", v);
			return 1;
		}
	}
	return 0;
}

static const struct spec *find_spec(void) {
	for (size_t i = 0; i < sizeof SPECS / sizeof SPECS[0]; i++)
		if (!strcmp(SPECS[i].runtime, conf_runtime)) return &SPECS[i];
	return NULL;
}

static int is_serve(const struct spec *s) {
	if (getenv("CLAW_STANDIN_SERVE") && !strcmp(getenv("CLAW_STANDIN_SERVE"), "1")) return 1;
	if (!s) return 1;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s->serve);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		for (int i = 1; i < g_argc; i++)
			if (!strcmp(g_argv[i], w)) return 1;
	return 0;
}

/* ------------------------------------------------------------ JSON output */

struct sb {
	char *p;
	size_t n, cap;
};

static void sb_put(struct sb *b, const char *s, size_t n) {
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n + 1) cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) die("out of memory");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_printf(struct sb *b, const char *fmt, ...) {
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0) sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string; control bytes as \u00XX, bytes >= 0x80 passed through. */
static void sb_jstr(struct sb *b, const char *s) {
	sb_put(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};
			sb_put(b, e, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			sb_printf(b, "\\u%04x", *p);
		} else
			sb_put(b, (const char *)p, 1);
	}
	sb_put(b, "\"", 1);
}

static void status_line(const char *key, char *out, size_t cap) {
	out[0] = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f) return;
	char line[512];
	size_t kl = strlen(key);
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			char *p = line + kl + 1;
			while (*p == ' ' || *p == '\t') p++;
			p[strcspn(p, "\n")] = 0;
			snprintf(out, cap, "%s", p);
			break;
		}
	}
	fclose(f);
}

static void state_json(struct sb *b) {
	char cwd[1024], cap_eff[64], cap_prm[64], cap_bnd[64];
	if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "?");
	status_line("CapEff", cap_eff, sizeof cap_eff);
	status_line("CapPrm", cap_prm, sizeof cap_prm);
	status_line("CapBnd", cap_bnd, sizeof cap_bnd);
	sb_put(b, "{\"runtime\":", 11);
	sb_jstr(b, conf_runtime);
	sb_put(b, ",\"argv\":[", 9);
	for (int i = 0; i < g_argc; i++) {
		if (i) sb_put(b, ",", 1);
		sb_jstr(b, g_argv[i]);
	}
	sb_printf(b, "],\"pid\":%d,\"uid\":%u,\"euid\":%u,\"gid\":%u,\"egid\":%u,\"groups\":[", (int)getpid(),
		  (unsigned)getuid(), (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());
	gid_t groups[256];
	int ng = getgroups(256, groups);
	for (int i = 0; i < ng; i++) sb_printf(b, "%s%u", i ? "," : "", (unsigned)groups[i]);
	sb_printf(b, "],\"capEff\":\"%s\",\"capPrm\":\"%s\",\"capBnd\":\"%s\",\"noNewPrivs\":%d,\"cwd\":", cap_eff,
		  cap_prm, cap_bnd, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	sb_jstr(b, cwd);
	sb_put(b, ",\"configPath\":", 14);
	sb_jstr(b, cfg_path);
	sb_printf(b, ",\"configExists\":%s,\"listen\":", cfg_exists ? "true" : "false");
	char listen[300];
	snprintf(listen, sizeof listen, "%s:%d", listen_host, listen_port);
	sb_jstr(b, listen);
	sb_put(b, ",\"env\":{", 8);
	int first = 1;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq) continue;
		char name[512];
		size_t n = (size_t)(eq - *e);
		if (n >= sizeof name) continue;
		memcpy(name, *e, n);
		name[n] = 0;
		if (!first) sb_put(b, ",", 1);
		first = 0;
		sb_jstr(b, name);
		sb_put(b, ":", 1);
		sb_jstr(b, eq + 1);
	}
	sb_put(b, "}}", 2);
}

/* ------------------------------------------------------------ one-shots */

static uint64_t fnv1a(const char *s) {
	uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 offset basis */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Appends {"argv":[...],"uid":N} to <state>/.standin/calls.jsonl (a word after "password" hashed). */
static void record_call(void) {
	if (!conf_state[0]) return;
	char dir[600], file[700];
	snprintf(dir, sizeof dir, "%s/.standin", conf_state);
	snprintf(file, sizeof file, "%s/calls.jsonl", dir);
	mkdir(dir, 0700);
	struct sb b = {0};
	sb_put(&b, "{\"argv\":[", 9);
	for (int i = 0; i < g_argc; i++) {
		if (i) sb_put(&b, ",", 1);
		if (i > 0 && !strcmp(g_argv[i - 1], "password")) {
			char h[40];
			snprintf(h, sizeof h, "fnv1a64:%016llx", (unsigned long long)fnv1a(g_argv[i]));
			sb_jstr(&b, h);
		} else
			sb_jstr(&b, g_argv[i]);
	}
	sb_printf(&b, "],\"uid\":%u,\"gid\":%u}\n", (unsigned)getuid(), (unsigned)getgid());
	int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) die("cannot record the call in %s: %s", file, strerror(errno));
	if (write(fd, b.p, b.n) != (ssize_t)b.n) die("short write to %s", file);
	close(fd);
	free(b.p);
}

/* ------------------------------------------------------------ HTTP */

static void on_signal(int sig) { got_signal = sig; }

static void send_all(int fd, const char *p, size_t n) {
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0) return;
		p += w;
		n -= (size_t)w;
	}
}

static void respond(int fd, int code, const char *type, const char *body, size_t len) {
	char head[256];
	const char *reason = code == 200 ? "OK" : code == 503 ? "Service Unavailable" : "Bad Request";
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", code,
			 reason, type, len);
	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void handle(int fd) {
	struct timeval tv = {2, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char req[8192];
	size_t n = 0;
	while (n < sizeof req - 1) {
		ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
		if (r <= 0) break;
		n += (size_t)r;
		req[n] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n")) break;
	}
	req[n] = 0;
	char method[16], path[2048];
	if (sscanf(req, "%15s %2047s", method, path) != 2) {
		respond(fd, 400, "text/plain", "bad request\n", 12);
		return;
	}
	path[strcspn(path, "?")] = 0;
	if (!strcmp(path, "/__standin")) {
		struct sb b = {0};
		state_json(&b);
		respond(fd, 200, "application/json", b.p, b.n);
		free(b.p);
	} else if (!strcmp(path, "/__standin/degrade") || !strcmp(path, "/__standin/fail") ||
		   !strcmp(path, "/__standin/ok")) {
		health_mode = path[11] == 'd' ? 1 : path[11] == 'f' ? 2 : 0;
		respond(fd, 200, "text/plain", "ok\n", 3);
	} else if (conf_hpath[0] && !strcmp(path, conf_hpath)) {
		if (health_mode == 2) respond(fd, 503, "application/json", "{\"status\":\"unavailable\"}", 24);
		else if (health_mode == 1) respond(fd, 200, "application/json", body_bad, strlen(body_bad));
		else respond(fd, 200, "application/json", body_ok, strlen(body_ok));
	} else {
		static const char page[] = "<!doctype html><title>stand-in web UI</title><div id=app></div>\n";
		respond(fd, 200, "text/html", page, sizeof page - 1);
	}
}

static int tcp_listen(void) {
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof ss);
	const char *h = listen_host;
	char buf[256];
	if (h[0] == '[') { /* [::] */
		snprintf(buf, sizeof buf, "%s", h + 1);
		buf[strcspn(buf, "]")] = 0;
		h = buf;
	}
	if (!strcmp(h, "localhost")) h = "127.0.0.1";
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)listen_port);
		sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)listen_port);
		sl = sizeof *s6;
	} else
		die("listen host %s is not an IP literal", listen_host);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) die("socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) die("bind %s:%d: %s", listen_host, listen_port, strerror(errno));
	if (listen(fd, 64) < 0) die("listen: %s", strerror(errno));
	return fd;
}

/* kind=socket runtimes: accept connections on the control socket (relative to the cwd). */
static int unix_listen(const char *path) {
	struct sockaddr_un su;
	memset(&su, 0, sizeof su);
	su.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof su.sun_path) die("socket path too long: %s", path);
	snprintf(su.sun_path, sizeof su.sun_path, "%s", path);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&su, sizeof su) < 0 || listen(fd, 16) < 0)
		die("unix socket %s: %s", path, strerror(errno));
	return fd;
}

int main(int argc, char **argv) {
	g_argc = argc;
	g_argv = argv;
	setvbuf(stdout, NULL, _IOLBF, 0);
	read_runtime_conf();
	const struct spec *s = find_spec();

	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (!is_serve(s)) {
		record_call();
		logmsg("%s one-shot with %d argument(s), first %s (uid %u)", base, argc - 1, argc > 1 ? argv[1] : "-",
		       (unsigned)getuid());
		return 0;
	}

	/* Without a row: the runtime reads the file the entrypoint renders. */
	if (!s) snprintf(cfg_path, sizeof cfg_path, "%s", conf_cfg);
	else if (!resolve(s->config, cfg_path, sizeof cfg_path)) cfg_path[0] = 0;
	struct stat st;
	cfg_exists = cfg_path[0] && stat(cfg_path, &st) == 0 && S_ISREG(st.st_mode);
	if (s && s->config_required && !cfg_exists) die("config file %s does not exist", cfg_path[0] ? cfg_path : "(none)");

	char port[32] = "";
	const char *forced = getenv("CLAW_STANDIN_LISTEN");
	if (forced && *forced) {
		const char *colon = strrchr(forced, ':');
		if (!colon) die("CLAW_STANDIN_LISTEN must be host:port");
		snprintf(listen_host, sizeof listen_host, "%.*s", (int)(colon - forced), forced);
		snprintf(port, sizeof port, "%s", colon + 1);
	} else if (s) {
		resolve(s->host, listen_host, sizeof listen_host);
		resolve(s->port, port, sizeof port);
	} else {
		snprintf(listen_host, sizeof listen_host, "0.0.0.0");
		snprintf(port, sizeof port, "%s", conf_port);
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 0 || p > 65535) die("bad port %s", port);
	listen_port = (int)p;

	if (s) snprintf(body_ok, sizeof body_ok, "%s", s->body);
	else snprintf(body_ok, sizeof body_ok, "{%s}", conf_hbody);
	snprintf(body_bad, sizeof body_bad, "{\"status\":\"degraded\",\"standin\":true}");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct pollfd pf[2];
	int nfd = 0;
	if (listen_port > 0) pf[nfd++] = (struct pollfd){.fd = tcp_listen(), .events = POLLIN};
	if (!strcmp(conf_kind, "socket") && conf_hpath[0])
		pf[nfd++] = (struct pollfd){.fd = unix_listen(conf_hpath), .events = POLLIN};
	logmsg("%s serving %s on %s:%d as uid %u gid %u; config %s%s", base, conf_runtime, listen_host, listen_port,
	       (unsigned)getuid(), (unsigned)getgid(), cfg_path[0] ? cfg_path : "(none)", cfg_exists ? "" : " (missing)");

	if (getenv("CLAW_STANDIN_EXIT_AFTER_BIND") && !strcmp(getenv("CLAW_STANDIN_EXIT_AFTER_BIND"), "1")) return 0;
	while (!got_signal) {
		int r = poll(pf, (nfds_t)nfd, 500);
		if (r < 0 && errno != EINTR) die("poll: %s", strerror(errno));
		for (int i = 0; r > 0 && i < nfd; i++) {
			if (!(pf[i].revents & POLLIN)) continue;
			int c = accept4(pf[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0) continue;
			if (i == 0 && listen_port > 0) handle(c);
			close(c);
		}
	}
	logmsg("got %s, exiting", got_signal == SIGINT ? "SIGINT" : "SIGTERM");
	return 0;
}
