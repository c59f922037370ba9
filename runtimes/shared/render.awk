# render.awk: ClawLab's one-pass validator and native-config renderer.
#
# Used by clawlab-entrypoint.sh (see README.md beside this file). Portable POSIX
# awk: mawk 1.3.4 (Debian's awk) and gawk 5. Always run with LC_ALL=C, so that
# strings are bytes. Everything happens in BEGIN; no main input is read.
#
# Inputs, all through ENVIRON (never -v, which would interpret backslashes):
#   _CLAW_MODE      render   validate the contract variables and write the rendered
#                            config on stdout (nothing at all on any error)
#                   print    the same with every secret value set from the environment
#                            replaced by "***" in the native syntax
#                   validate the same checks, only the error messages, no output
#                   check    image self-test: the contract parses, every file target is
#                            a value line of the baked file, the baked file is in the
#                            canonical layout; prints the baked file as rendered with no
#                            overrides (the caller compares it byte for byte)
#   _CLAW_CONTRACT  the env.contract file;  _CLAW_BAKED  the pristine baked config
#   _CLAW_FORMAT    toml | json | yaml | dotenv
#   ENVIRON[NAME]   the value of each contract variable NAME (set = present)
# Errors: one line each on stderr, "clawlab: <VAR>: <reason>" (or
# "clawlab: <file>:<line>: <reason>" for image bugs), never a value; exit 1 if any.

BEGIN {
	mode = ENVIRON["_CLAW_MODE"]
	fmt = ENVIRON["_CLAW_FORMAT"]
	contract = ENVIRON["_CLAW_CONTRACT"]
	baked = ENVIRON["_CLAW_BAKED"]
	nerr = 0
	if (mode !~ /^(render|print|validate|check)$/) {
		_err("render.awk", "unknown _CLAW_MODE (render|print|validate|check)")
		exit 2
	}
	if (fmt !~ /^(toml|json|yaml|dotenv)$/) {
		_err("CLAW_CONFIG_FORMAT", "unknown format (toml|json|yaml|dotenv) (image bug)")
		exit 1
	}
	_init()
	_read_contract()
	if (mode != "check")
		_collect()
	_render()
	_finish()
}

# ---------------------------------------------------------------- messages

# _err(WHO, WHY): print "clawlab: WHO: WHY" on stderr and count an error.
function _err(who, why) {
	printf "clawlab: %s: %s\n", who, why > "/dev/stderr"
	nerr++
}

# _finish(): report keys that were set but not found, print the output, exit.
function _finish(i, p) {
	for (i = 1; i <= cn; i++) {
		p = C_TGT[i]
		if (p == "env")
			continue
		if (p in A_ENC && !(p in FOUND) && A_VAR[p] == C_NAME[i])
			_err(C_NAME[i], "key " p " not found in " baked _opened(p) " (image bug)")
		if (mode == "check" && !(p in VPATH))
			_err(C_NAME[i], "key " p " not found in " baked _opened(p) " (image bug)")
	}
	if (nerr > 0)
		exit 1
	if (mode != "validate")
		for (i = 1; i <= nout; i++)
			print OUT[i]
	exit 0
}

# _opened(P): a hint when P names a table/section rather than a value line.
function _opened(p) {
	return (p in OPENED) ? " as a value (it is a table/section there)" : ""
}

# ---------------------------------------------------------------- tables

# _init(): byte tables, escape tables, and the gsub replacement calibration.
function _init(c, h, t) {
	h = "0123456789ABCDEF"
	for (c = 1; c < 256; c++)
		CH[c] = sprintf("%c", c)
	# C0 controls and DEL: short escapes where every format has them, else \u00XX.
	for (c = 1; c < 32; c++)
		ESC[c] = "\\u00" substr(h, int(c / 16) + 1, 1) substr(h, c % 16 + 1, 1)
	ESC[8] = "\\b"; ESC[9] = "\\t"; ESC[10] = "\\n"; ESC[12] = "\\f"; ESC[13] = "\\r"
	ESC[127] = "\\u007F"
	# C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F), escaped in YAML.
	for (c = 128; c < 160; c++) {
		C1[c] = "\302" CH[c]
		C1ESC[c] = "\\u00" substr(h, int(c / 16) + 1, 1) substr(h, c % 16 + 1, 1)
	}
	U2028 = "\342\200\250"; U2029 = "\342\200\251"; UFEFF = "\357\273\277"
	UFFFE = "\357\277\276"; UFFFF = "\357\277\277"
	# Valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF), anchored: one match of
	# the whole string is linear in mawk, where gsub of this alternation is quadratic.
	UTF8RE = "^([\001-\177]|" "[\302-\337][\200-\277]|\340[\240-\277][\200-\277]|[\341-\354\356\357][\200-\277][\200-\277]|\355[\200-\237][\200-\277]|\360[\220-\277][\200-\277][\200-\277]|[\361-\363][\200-\277][\200-\277][\200-\277]|\364[\200-\217][\200-\277][\200-\277]" ")*$"
	# awks disagree on how many backslashes a gsub replacement needs to produce
	# two: mawk and gawk want four, busybox two. Find out instead of guessing.
	t = "\\"; gsub(/\\/, "\\\\\\\\", t)
	if (t == "\\\\")
		BS2 = "\\\\\\\\"
	else {
		t = "\\"; gsub(/\\/, "\\\\", t)
		if (t != "\\\\") {
			_err("render.awk", "this awk's gsub cannot produce a backslash pair")
			exit 2
		}
		BS2 = "\\\\"
	}
	# The single-backslash replacements (\" \uXXXX \b ...) must come out verbatim.
	t = "\"" CH[1] CH[8]; gsub(/"/, "\\\"", t); gsub(CH[1], ESC[1], t); gsub(CH[8], ESC[8], t)
	if (t != "\\\"\\u0001\\b") {
		_err("render.awk", "this awk's gsub mangles escape replacements")
		exit 2
	}
}

# ---------------------------------------------------------------- contract

# _read_contract(): parse env.contract into C_* arrays (cn entries), checking its syntax.
function _read_contract(line, r, ln, n, f, name, type, where, seen) {
	cn = 0
	ln = 0
	while ((r = (getline line < contract)) > 0) {
		ln++
		if (line ~ /^[ \t]*(#.*)?$/)
			continue
		where = contract ":" ln
		n = split(line, f, "\t")
		if (n != 5) {
			_err(where, "expected 5 tab-separated fields NAME TYPE SECRET TARGET DEFAULT (image bug)")
			continue
		}
		name = f[1]; type = f[2]
		if (name !~ /^[A-Za-z_*][A-Za-z0-9_*]*$/) {
			_err(where, "bad variable name (image bug)")
			continue
		}
		if (name in seen) {
			_err(where, name " is declared twice (image bug)")
			continue
		}
		seen[name] = 1
		cn++
		C_NAME[cn] = name
		C_GLOB[cn] = (index(name, "*") > 0)
		C_RE[cn] = ""
		if (C_GLOB[cn]) {
			C_RE[cn] = name
			gsub(/\*/, ".*", C_RE[cn])
			C_RE[cn] = "^" C_RE[cn] "$"
		}
		C_ENUM[cn] = ""
		if (type ~ /^enum:/) {
			C_ENUM[cn] = substr(type, 6)
			type = "enum"
			if (C_ENUM[cn] == "" || C_ENUM[cn] ~ /^\||\|\||\|$/)
				_err(where, "enum without values or with an empty value (image bug)")
		} else if (type !~ /^(string|int|port|bool|list|int-list)$/)
			_err(where, "unknown type " type " (string|int|port|bool|list|int-list|enum:a|b) (image bug)")
		C_TYPE[cn] = type
		if (f[3] != "secret" && f[3] != "-")
			_err(where, "SECRET must be secret or - (image bug)")
		C_SEC[cn] = (f[3] == "secret")
		C_TGT[cn] = f[4]
		if (f[4] == "env")
			continue
		if (C_GLOB[cn])
			_err(where, "a name with * must have TARGET env (image bug)")
		else if (fmt == "dotenv" && f[4] !~ /^[A-Za-z_][A-Za-z0-9_]*$/)
			_err(where, "a dotenv TARGET is one KEY (image bug)")
		else if (f[4] !~ /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
			_err(where, "TARGET must be env or a dotted key path (image bug)")
	}
	if (r < 0)
		_err(contract, "cannot read the contract (image bug)")
	close(contract)
}

# ---------------------------------------------------------------- values

# _collect(): validate every contract variable that is set; encode the file-target ones into A_ENC[path].
function _collect(i, k, names, nn, j, t) {
	for (i = 1; i <= cn; i++) {
		if (!C_GLOB[i]) {
			if (C_NAME[i] in ENVIRON)
				_take(i, C_NAME[i])
			continue
		}
		nn = 0
		for (k in ENVIRON)
			if (k ~ C_RE[i] && k !~ /^_CLAW_/)
				names[++nn] = k
		# insertion sort, so messages come out in a stable order
		for (j = 2; j <= nn; j++) {
			t = names[j]
			for (k = j - 1; k >= 1 && names[k] > t; k--)
				names[k + 1] = names[k]
			names[k + 1] = t
		}
		for (j = 1; j <= nn; j++)
			_take(i, names[j])
	}
}

# _take(I, VAR): validate VAR's value against contract entry I; remember the encoded value of a file target.
function _take(i, var, v, why, p, file) {
	v = "" ENVIRON[var]
	file = (C_TGT[i] != "env")
	why = _check(C_TYPE[i], C_ENUM[i], v, file)
	if (why != "") {
		_err(var, why)
		return
	}
	if (!file)
		return
	p = C_TGT[i]
	if (p in A_VAR) {
		_err(var, "sets key " p " which " A_VAR[p] " sets too; unset one of them")
		return
	}
	A_VAR[p] = var
	if (mode == "print" && C_SEC[i])
		A_ENC[p] = (C_TYPE[i] ~ /list$/) ? _encode("list", "***") : _encode("string", "***")
	else
		A_ENC[p] = _encode(C_TYPE[i], v)
}

# _check(TYPE, ENUMVALS, V, FILE): "" when V is valid, else the reason (never containing V).
function _check(t, vals, v, file, d, max, shown, n, it, i, why) {
	if (t == "int") {
		if (v !~ /^-?[0-9]+$/)
			return "not an integer (decimal digits with an optional leading -)"
		if (v ~ /^-?0[0-9]/ || v == "-0")
			return "not an integer: leading zeros are not allowed"
		d = v; max = "9223372036854775807"
		if (substr(d, 1, 1) == "-") {
			d = substr(d, 2); max = "9223372036854775808"
		}
		if (length(d) > 19 || (length(d) == 19 && d > max))
			return "integer out of the 64-bit range"
		return ""
	}
	if (t == "port") {
		if (v !~ /^[1-9][0-9]*$/ || length(v) > 5 || v + 0 > 65535)
			return "not a port number (an integer 1-65535)"
		return ""
	}
	if (t == "bool") {
		if (v != "true" && v != "false")
			return "must be true or false"
		return ""
	}
	if (t == "enum") {
		if (index(v, "|") || !index("|" vals "|", "|" v "|")) {
			shown = vals
			gsub(/\|/, ", ", shown)
			return "must be one of: " shown
		}
		return ""
	}
	if (t == "list" || t == "int-list") {
		if (v == "")
			return "is an empty list (unset it to keep the image default)"
		if (v ~ /[\n\r]/)
			return "a list must not contain line breaks"
		n = _list_items(v, it)
		if (n < 0)
			return "item " (-n) " is empty (comma-separated, each item non-empty)"
		if (t == "int-list")
			for (i = 1; i <= n; i++) {
				why = _check("int", "", it[i], 0)
				if (why != "")
					return "item " i ": " why
			}
	}
	if (file && !_utf8_ok(v))
		return "not valid UTF-8"
	if (file && fmt == "dotenv") {
		if (v ~ /[\n\r]/)
			return "a .env value cannot hold a line break (the reader has no escapes)"
		if (v == "")
			return "is empty, which a .env reader takes as unset (unset it instead)"
	}
	return ""
}

# _utf8_ok(S): 1 when S is valid UTF-8 (S never holds NUL: it comes from the environment).
function _utf8_ok(s) {
	if (s !~ /[\200-\377]/)
		return 1
	return s ~ UTF8RE
}

# _encode(TYPE, V): V in the native syntax of fmt (V is already valid).
function _encode(t, v, it, n, i) {
	if (t == "list" || t == "int-list") {
		n = _list_items(v, it)
		if (fmt == "dotenv")
			return (t == "int-list") ? _join(it, 1, n, ",") : _claw_encode_dotenv(_join(it, 1, n, ","))
		if (t == "list")
			for (i = 1; i <= n; i++)
				it[i] = _qstr(it[i])
		return "[" _join(it, 1, n, (fmt == "json") ? "," : ", ") "]"
	}
	if (t == "int" || t == "port" || t == "bool")
		return v
	return _qstr(v)
}

# _list_items(V, IT): split V on commas into IT[1..n], each item trimmed of blanks; n, or -K when item K is empty.
# (No regex scans to the end of a long value: mawk runs those in quadratic time.)
function _list_items(v, it, n, i, x, k) {
	n = split(v, it, ",")
	for (i = 1; i <= n; i++) {
		x = it[i]
		if (match(x, /^[ \t]+/))
			x = substr(x, RLENGTH + 1)
		k = length(x)
		while (k > 0 && index(" \t", substr(x, k, 1)))
			k--
		if (k == 0)
			return -i
		it[i] = substr(x, 1, k)
	}
	return n
}

# _join(A, LO, HI, SEP): A[LO..HI] joined with SEP, halving so that mawk's copying concatenation stays O(n log n).
function _join(a, lo, hi, sep, mid) {
	if (lo > hi)
		return ""
	if (lo == hi)
		return a[lo]
	mid = int((lo + hi) / 2)
	return _join(a, lo, mid, sep) sep _join(a, mid + 1, hi, sep)
}

# _qstr(V): V as a quoted string of fmt.
function _qstr(v) {
	if (fmt == "toml")
		return "\"" _esc_c0(v) "\""
	if (fmt == "json")
		return "\"" _esc_json(v) "\""
	if (fmt == "yaml")
		return "\"" _esc_yaml(v) "\""
	return _claw_encode_dotenv(v)
}

# _esc_c0(S): backslash, double quote, C0 controls and DEL escaped (TOML basic string body).
function _esc_c0(s, c) {
	if (index(s, "\\"))
		gsub(/\\/, BS2, s)
	if (index(s, "\""))
		gsub(/"/, "\\\"", s)
	if (s ~ /[\001-\037\177]/) {
		for (c = 1; c < 32; c++)
			if (index(s, CH[c]))
				gsub(CH[c], ESC[c], s)
		if (index(s, CH[127]))
			gsub(CH[127], ESC[127], s)
	}
	return s
}

# _esc_json(S): a JSON string body; also U+2028/U+2029 as \u so JSON5/JS readers agree.
function _esc_json(s) {
	s = _esc_c0(s)
	if (index(s, "\342\200")) {
		gsub(U2028, "\\u2028", s)
		gsub(U2029, "\\u2029", s)
	}
	return s
}

# _esc_yaml(S): a YAML double-quoted body; C1 controls, NEL, LS, PS, BOM and U+FFFE/U+FFFF as \u (YAML 1.1 and 1.2).
function _esc_yaml(s, c) {
	s = _esc_c0(s)
	if (index(s, "\302"))
		for (c = 128; c < 160; c++)
			if (index(s, C1[c]))
				gsub(C1[c], C1ESC[c], s)
	if (index(s, "\342\200")) {
		gsub(U2028, "\\u2028", s)
		gsub(U2029, "\\u2029", s)
	}
	if (index(s, "\357")) {
		gsub(UFEFF, "\\uFEFF", s)
		gsub(UFFFE, "\\uFFFE", s)
		gsub(UFFFF, "\\uFFFF", s)
	}
	return s
}

# _claw_encode_dotenv(V): the value part of KEY=value in a .env file, for the reader
# the runtimes use (NanoClaw's src/env.ts): it trims the line, strips exactly one pair
# of matching outer quotes and knows no escapes. So the value goes between double
# quotes verbatim, which keeps leading/trailing blanks and a value that is itself
# quoted; line breaks, the one thing this cannot carry, are refused by _check.
function _claw_encode_dotenv(v) {
	return "\"" v "\""
}

# ---------------------------------------------------------------- baked file

# _render(): read the baked file line by line, track key paths, replace the value of each line whose path was set; fill OUT[1..nout].
function _render(line, r, ln, where) {
	nout = 0
	ln = 0
	TBL = ""; JN = 0; JDONE = 0; YN = 0; YSTART = 0
	while ((r = (getline line < baked)) > 0) {
		ln++
		K = "bad"; P = ""; LPRE = ""; LSUF = ""; WHY = ""
		if (fmt == "toml")
			_toml(line)
		else if (fmt == "json")
			_json(line)
		else if (fmt == "yaml")
			_yaml(line)
		else
			_dotenv(line)
		where = baked ":" ln
		if (line ~ /\r/) {
			K = "bad"; WHY = "carriage return (use LF line ends)"
		}
		if (K == "bad")
			_err(where, "not in the canonical " fmt " layout: " WHY " (image bug; see runtimes/shared/README.md)")
		else if (K == "value") {
			if (mode == "check" && P in VPATH)
				_err(where, "key " P " already set on line " VPATH[P] " (image bug)")
			VPATH[P] = ln
			if (P in A_ENC) {
				line = LPRE A_ENC[P] LSUF
				FOUND[P] = 1
			}
		} else if (K == "open") {
			if (mode == "check" && P in OPENED && fmt == "toml" && !TAOT)
				_err(where, "table [" P "] defined twice (image bug)")
			OPENED[P] = ln
		}
		OUT[++nout] = line
	}
	if (r < 0)
		_err(baked, "cannot read the baked config (image bug)")
	else if (nout == 0)
		_err(baked, "the baked config is empty (image bug)")
	else if (fmt == "json" && (JN != 0 || !JDONE))
		_err(baked, "not in the canonical json layout: unbalanced { } / [ ] (image bug)")
	close(baked)
}

# _toml(LINE): classify a TOML line ([table], [[array]], key = value, comment); sets K, P, LPRE, WHY.
function _toml(line, h, key, v) {
	TAOT = 0
	if (line ~ /^[ \t]*(#.*)?$/) {
		K = "skip"
		return
	}
	if (line ~ /^\[\[[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\]\]$/) {
		h = substr(line, 3, length(line) - 4)
		TBL = _toml_aot(h)
		K = "open"; P = TBL; TAOT = 1
		return
	}
	if (line ~ /^\[[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\]$/) {
		h = substr(line, 2, length(line) - 2)
		TBL = _toml_table(h)
		K = "open"; P = TBL
		return
	}
	if (match(line, /^[ \t]*[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)* = /)) {
		LPRE = substr(line, 1, RLENGTH)
		v = substr(line, RLENGTH + 1)
		key = LPRE
		sub(/^[ \t]*/, "", key)
		sub(/ = $/, "", key)
		P = (TBL == "") ? key : TBL "." key
		WHY = _toml_val(v)
		K = (WHY == "") ? "value" : "bad"
		return
	}
	WHY = "expected [table], [[array]], # comment, or one bare-key = value"
}

# _toml_table(H): the key path of a [H] header, array-of-tables segments resolved to their current index.
function _toml_table(h, n, s, i, cur) {
	n = split(h, s, "[.]")
	cur = ""
	for (i = 1; i <= n; i++) {
		cur = (i == 1) ? s[1] : cur "." s[i]
		if (cur in AOT)
			cur = cur "." AOT[cur]
	}
	return cur
}

# _toml_aot(H): the key path of a [[H]] header (its next element's index appended).
function _toml_aot(h, n, s, i, cur) {
	n = split(h, s, "[.]")
	cur = ""
	for (i = 1; i < n; i++) {
		cur = (i == 1) ? s[1] : cur "." s[i]
		if (cur in AOT)
			cur = cur "." AOT[cur]
	}
	cur = (n == 1) ? s[1] : cur "." s[n]
	# (no AOT[cur] = (cur in AOT) ? ...: mawk creates the element before the test)
	if (cur in AOT)
		AOT[cur]++
	else
		AOT[cur] = 0
	return cur "." AOT[cur]
}

# _toml_val(V): "" when V is a one-line TOML value without a trailing comment, else the reason.
function _toml_val(v, c) {
	c = substr(v, 1, 1)
	if (v == "")
		return "empty value"
	if (v ~ /^("""|''')/)
		return "multi-line strings are not allowed"
	if (c == "\"")
		return (length(v) >= 2 && v ~ /"$/) ? "" : "unterminated string or trailing comment"
	if (c == "'")
		return (length(v) >= 2 && v ~ /'$/) ? "" : "unterminated string or trailing comment"
	if (c == "[")
		return (v ~ /\]$/) ? "" : "arrays must be on one line, without a trailing comment"
	if (c == "{")
		return (v ~ /\}$/) ? "" : "inline tables must be on one line, without a trailing comment"
	if (v ~ /#/)
		return "trailing comments are not allowed"
	return ""
}

# _json(LINE): classify a pretty-printed JSON line; tracks the container stack JN/JT/JP/JC; sets K, P, LPRE, LSUF, WHY.
function _json(line, s, key, v) {
	match(line, /^ */)
	s = substr(line, RLENGTH + 1)
	if (JDONE) {
		WHY = "content after the closing }"
		return
	}
	if (s == "{") {
		if (JN == 0) {
			JN = 1; JT[1] = "o"; JP[1] = ""
			K = "open"; P = ""
			return
		}
		if (JT[JN] == "a") {
			JN++; JT[JN] = "o"
			JP[JN] = JP[JN - 1] "." JC[JN - 1]
			JC[JN - 1]++
			K = "open"; P = JP[JN]
			return
		}
		WHY = "a bare { must open the document or an array element"
		return
	}
	if (s == "}" || s == "},") {
		if (JN > 0 && JT[JN] == "o") {
			JN--
			if (JN == 0)
				JDONE = 1
			K = "skip"
			return
		}
		WHY = "unbalanced }"
		return
	}
	if (s == "]" || s == "],") {
		if (JN > 0 && JT[JN] == "a") {
			JN--
			K = "skip"
			return
		}
		WHY = "unbalanced ]"
		return
	}
	if (!match(s, /^"[^"\\]+": /)) {
		WHY = "expected {, }, ], or one \"key\": value per line"
		return
	}
	if (JN == 0 || JT[JN] != "o") {
		WHY = "a key outside an object (arrays of scalars go on one line)"
		return
	}
	key = substr(s, 2, RLENGTH - 4)
	v = substr(s, RLENGTH + 1)
	P = (JP[JN] == "") ? key : JP[JN] "." key
	if (v == "{" || v == "[") {
		JN++
		JT[JN] = (v == "{") ? "o" : "a"
		JP[JN] = P
		JC[JN] = 0
		K = "open"
		return
	}
	LSUF = ""
	if (v ~ /,$/) {
		LSUF = ","
		v = substr(v, 1, length(v) - 1)
	}
	LPRE = substr(line, 1, length(line) - length(v) - length(LSUF))
	WHY = _json_val(v)
	K = (WHY == "") ? "value" : "bad"
}

# _json_val(V): "" when V is a one-line JSON value, else the reason.
function _json_val(v) {
	if (v ~ /^"/)
		return (length(v) >= 2 && v ~ /"$/) ? "" : "unterminated string"
	if (v ~ /^(true|false|null|\{\})$/ || v ~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/)
		return ""
	if (v ~ /^\[.*\]$/)
		return ""
	return "expected a string, number, true, false, null, {} or a one-line array"
}

# _yaml(LINE): classify a block-style YAML line; tracks the indentation stack YN/YI/YK/YP/YC/YS; sets K, P, LPRE, WHY.
function _yaml(line, d, s, key, rest, v) {
	if (line ~ /^ *(#.*)?$/) {
		K = "skip"
		return
	}
	if (!YSTART && line == "---") {
		YSTART = 1
		K = "skip"
		return
	}
	YSTART = 1
	match(line, /^ */)
	d = RLENGTH
	s = substr(line, d + 1)
	if (substr(s, 1, 1) == "\t") {
		WHY = "tabs in indentation"
		return
	}
	if (substr(s, 1, 2) == "- ") {
		while (YN > 0 && YI[YN] >= d)
			YN--
		if (YN == 0 || YK[YN] != "k" || YI[YN] + 2 != d) {
			WHY = "a sequence item goes 2 spaces deeper than its key"
			return
		}
		if (YS[YN] == "m") {
			WHY = "keys and sequence items mixed under one key"
			return
		}
		YS[YN] = "s"
		YN++
		YI[YN] = d; YK[YN] = "i"; YS[YN] = "m"
		YP[YN] = YP[YN - 1] "." YC[YN - 1]
		YC[YN - 1]++
		d += 2
		s = substr(s, 3)
	} else {
		while (YN > 0 && YI[YN] >= d)
			YN--
		if (d != ((YN == 0) ? 0 : YI[YN] + 2)) {
			WHY = "indentation must be 2 spaces per level"
			return
		}
		if (YN > 0) {
			if (YS[YN] == "s") {
				WHY = "keys and sequence items mixed under one key"
				return
			}
			YS[YN] = "m"
		}
	}
	if (!match(s, /^[A-Za-z0-9_-]+:/)) {
		WHY = "expected key: value (bare keys; scalar lists in flow style on one line)"
		return
	}
	key = substr(s, 1, RLENGTH - 1)
	rest = substr(s, RLENGTH + 1)
	P = (YN == 0) ? key : YP[YN] "." key
	if (rest == "") {
		YN++
		YI[YN] = d; YK[YN] = "k"; YP[YN] = P; YC[YN] = 0; YS[YN] = ""
		K = "open"
		return
	}
	if (substr(rest, 1, 1) != " " || rest == " ") {
		WHY = "expected key: value"
		return
	}
	v = substr(rest, 2)
	LPRE = substr(line, 1, length(line) - length(v))
	WHY = _yaml_val(v)
	K = (WHY == "") ? "value" : "bad"
}

# _yaml_val(V): "" when V is a one-line YAML scalar or flow collection without a comment, else the reason.
function _yaml_val(v, c) {
	c = substr(v, 1, 1)
	if (c ~ /[|>&*!%@`#]/)
		return "block scalars, anchors, aliases, tags and comments are not allowed"
	if (c == "\"")
		return (length(v) >= 2 && v ~ /"$/) ? "" : "unterminated string or trailing comment"
	if (c == "'")
		return (length(v) >= 2 && v ~ /'$/) ? "" : "unterminated string or trailing comment"
	if (c == "[")
		return (v ~ /\]$/) ? "" : "flow sequences must be on one line, without a trailing comment"
	if (c == "{")
		return (v ~ /\}$/) ? "" : "flow mappings must be on one line, without a trailing comment"
	if (v ~ / #/ || v ~ /: / || v ~ /[ \t]$/)
		return "a plain scalar must not contain ' #' or ': ' or end in blanks"
	return ""
}

# _dotenv(LINE): classify a .env line (KEY=value, # comment, blank); sets K, P, LPRE, WHY.
function _dotenv(line) {
	if (line ~ /^[ \t]*(#.*)?$/) {
		K = "skip"
		return
	}
	if (match(line, /^[A-Za-z_][A-Za-z0-9_]*=/)) {
		LPRE = substr(line, 1, RLENGTH)
		P = substr(line, 1, RLENGTH - 1)
		K = "value"
		return
	}
	WHY = "expected KEY=value or # comment"
}
