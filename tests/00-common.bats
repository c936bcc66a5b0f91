#!/usr/bin/env bats
# What every tool shares: --help, --version, usage errors, and that --help,
# the man page, the completions and the contract agree.

load test_helper

tools() {
	local t
	for t in "$SW_BIN"/sw-*; do
		[ -x "$t" ] && basename "$t"
	done
}

# --help of a tool and of its subcommands (sw-avro, sw-mqtt).
help_text() {
	"$1" --help
	case $1 in
	sw-avro) for s in decode encode schema fingerprint compat register; do "$1" $s --help; done ;;
	sw-mqtt) for s in sub pub; do "$1" $s --help; done ;;
	esac
}

# Long flags in --help, leaving out the exit status table (its "65 ... with
# --on-error fail" is not a flag of tools without --on-error).
long_flags() {
	help_text "$1" | grep -vE '^ +[0-9]+ ' | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u
}

@test "there are tools to test" {
	run tools
	[ "${#lines[@]}" -ge 1 ]
}

@test "--help: usage on stdout, exit 0, every tool" {
	local t bad=""
	for t in $(tools); do
		out=$("$t" --help 2>/dev/null) || bad="$bad $t(status)"
		grep -q "Usage:" <<<"$out" || bad="$bad $t(no Usage:)"
	done
	[ -z "$bad" ] || { echo "bad:$bad"; return 1; }
}

@test "--version: 'sw-TOOL VERSION' first, exit 0" {
	local t bad=""
	for t in $(tools); do
		first=$("$t" --version | head -1)
		[[ $first =~ ^$t\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || bad="$bad $t($first)"
	done
	[ -z "$bad" ] || { echo "bad:$bad"; return 1; }
}

@test "an unknown flag is a usage error: 64 and a hint" {
	local t bad=""
	for t in $(tools); do
		run "$t" --no-such-flag
		[ "$status" -eq 64 ] || bad="$bad $t(status $status)"
		grep -q "Try '$t --help'" <<<"$output" || bad="$bad $t(no hint)"
	done
	[ -z "$bad" ] || { echo "bad:$bad"; return 1; }
}

# Long options that a man page describes: those in the tags of its .TP
# paragraphs, roff's '\-' made '-'.
man_flags() {
	awk 'tp { while (match($0, /\\-\\-[a-z0-9]([a-z0-9]|\\-)*/)) {
			f = substr($0, RSTART, RLENGTH); gsub(/\\/, "", f); print f
			$0 = substr($0, RSTART + RLENGTH) } }
	     { tp = /^\.TP/ }' "$1" | sort -u
}

# Long options in a text, one a line.
flags_in() {
	grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

# One process per tool and output (no loop over flags): --help (with its
# subcommands'), both completions, the man page; then set differences.
@test "--help, the man page and the completions agree on every tool's options, both ways" {
	local t bad="" d=$BATS_TEST_TMPDIR
	for t in $(tools); do
		[ -f "$ROOT/man/$t.1" ] || { bad="$bad $t(no man page)"; continue; }
		help_text "$t" | grep -vE '^ +[0-9]+ ' | flags_in >"$d/help"
		"$t" --completion=bash | flags_in >"$d/bash" || bad="$bad $t(bash)"
		"$t" --completion=zsh | flags_in >"$d/zsh" || bad="$bad $t(zsh)"
		sed 's/\\-/-/g' "$ROOT/man/$t.1" | flags_in >"$d/man"
		man_flags "$ROOT/man/$t.1" >"$d/man-options"
		[ -s "$d/help" ] && [ -s "$d/man-options" ] || bad="$bad $t(no options found)"
		# In --help but not in the man page or a completion.
		for f in $(comm -23 "$d/help" "$d/man"); do bad="$bad $t:man:$f"; done
		for f in $(comm -23 "$d/help" "$d/bash"); do bad="$bad $t:bash:$f"; done
		for f in $(comm -23 "$d/help" "$d/zsh"); do bad="$bad $t:zsh:$f"; done
		# Described by the man page but not an option of the tool (the
		# completions list every option of its table but --completion).
		for f in $(comm -23 "$d/man-options" "$d/bash"); do bad="$bad $t:not-an-option:$f"; done
	done
	[ -z "$bad" ] || { echo "missing:$bad"; return 1; }
}

@test "--help into a full disk: exit 74 and one line, every tool and subcommand" {
	[ -w /dev/full ] || skip "no /dev/full"
	local t s bad=""
	for t in $(tools) "sw-avro decode" "sw-avro compat" "sw-mqtt sub" "sw-mqtt pub"; do
		run bash -c "$t --help >/dev/full"
		[ "$status" -eq 74 ] || bad="$bad $t(status $status)"
		[ "${#lines[@]}" -eq 1 ] && [ "${lines[0]}" = "${t%% *}: write error: No space left on device" ] ||
			bad="$bad $t($output)"
	done
	[ -z "$bad" ] || { echo "bad:$bad"; return 1; }
}

@test "--completion=bash|zsh writes scripts that the shells parse; -h is --help" {
	local t bad=""
	for t in $(tools); do
		"$t" --completion=bash | bash -n || bad="$bad $t(bash)"
		if command -v zsh >/dev/null; then
			"$t" --completion=zsh | zsh -n || bad="$bad $t(zsh)"
		fi
		cmp -s <("$t" -h) <("$t" --help) || bad="$bad $t(-h)"
	done
	run -64 sw-enrich --completion=fish
	[ "${lines[0]}" = "sw-enrich: --completion: 'fish': expected bash or zsh" ]
	[ -z "$bad" ] || { echo "bad:$bad"; return 1; }
}

@test "completions offer the values of the option tables" {
	. <(sw-enrich --completion=bash)
	COMP_WORDS=(sw-enrich --on-error "")
	COMP_CWORD=2
	_sw_enrich
	[ "${COMPREPLY[*]}" = "fail skip" ]
	# A module's own table: the codecs sw-avro knows.
	. <(sw-avro --completion=bash)
	COMP_WORDS=(sw-avro encode --codec "")
	COMP_CWORD=3
	_sw_avro
	[ "${COMPREPLY[*]}" = "null deflate snappy xz zstandard lzma" ]
	COMP_WORDS=(sw-avro "")
	COMP_CWORD=1
	_sw_avro
	[ "${COMPREPLY[*]}" = "decode encode schema fingerprint compat register" ]
	sw-sink-files --completion=zsh | grep -qF -- "--format=[" 
	sw-sink-files --completion=zsh | grep -qF -- ":(ndjson avro parquet)'"
	# Operands complete as files only where files are taken: sw-mqtt pub
	# reads FILE..., sub takes none; sw-consume's are topics.
	cd "$BATS_TEST_TMPDIR"
	touch a-file
	. <(sw-mqtt --completion=bash)
	COMP_WORDS=(sw-mqtt pub "")
	COMP_CWORD=2
	_sw_mqtt
	[ "${COMPREPLY[*]}" = "a-file" ]
	COMP_WORDS=(sw-mqtt sub "")
	_sw_mqtt
	[ "${#COMPREPLY[@]}" -eq 0 ]
	. <(sw-consume --completion=bash)
	COMP_WORDS=(sw-consume "")
	COMP_CWORD=1
	_sw_consume
	[ "${#COMPREPLY[@]}" -eq 0 ]
	sw-mqtt --completion=zsh >mqtt.zsh
	sed -n '/^pub)$/,/^;;$/p' mqtt.zsh | grep -qF "'*:file:_files'"
	sed -n '/^sub)$/,/^;;$/p' mqtt.zsh >sub.zsh
	grep -qF -- "--qos=" sub.zsh
	[ "$(grep -cF "'*:file:_files'" sub.zsh)" = 0 ]
	[ "$(sw-consume --completion=zsh | grep -cF "'*:file:_files'")" = 0 ]
}

@test "every flag the contract fixes is in --help" {
	local list="$FIXTURES/contract-flags.txt" t want f bad=""
	common=$(sed -n 's/^common: //p' "$list")
	input=$(sed -n 's/^input: //p' "$list")
	for t in $(tools); do
		want=$(sed -n "s/^$t: //p" "$list")
		case $t in sw-gen|sw-kafka-mock) ;; *) want="$common $want" ;; esac
		case $t in sw-enrich|sw-window|sw-avro|sw-sink-es|sw-produce|sw-mqtt|sw-files) want="$input $want" ;; esac
		help=$(help_text "$t" 2>&1)
		# (bash's own regex: a grep per flag costs a fork each)
		for f in $want; do
			[[ $help =~ $f([^A-Za-z0-9-]|$) ]] || bad="$bad $t:$f"
		done
	done
	[ -z "$bad" ] || { echo "missing:$bad"; return 1; }
}

@test "the exit status table is in every man page" {
	local t bad=""
	for t in $(tools); do
		man=$(<"$ROOT/man/$t.1")
		for code in 0 1 64 65 69 70 74 75; do
			[[ $man =~ (^|[^[:alnum:]_])$code([^[:alnum:]_]|$) ]] || bad="$bad $t:$code"
		done
	done
	[ -z "$bad" ] || { echo "missing:$bad"; return 1; }
}

@test "make install puts binaries, man pages and completions in place" {
	dest=$(mktemp -d)
	local san=""
	case $SW_BIN in */build/san/bin) san=SANITIZE=1 ;; esac
	run make -C "$ROOT" --no-print-directory install DESTDIR="$dest" PREFIX=/usr $san
	assert_status 0
	local t bad=""
	for t in $(tools); do
		[ -x "$dest/usr/bin/$t" ] || bad="$bad bin/$t"
		[ -f "$dest/usr/share/man/man1/$t.1" ] || bad="$bad man/$t.1"
		[ -f "$dest/usr/share/bash-completion/completions/$t" ] || bad="$bad bash/$t"
		[ -f "$dest/usr/share/zsh/site-functions/_$t" ] || bad="$bad zsh/_$t"
	done
	[ -f "$dest/usr/share/man/man7/sw.7" ] || bad="$bad man7/sw.7"
	rm -rf "$dest"
	[ -z "$bad" ] || { echo "missing:$bad"; return 1; }
}

@test "man pages are well-formed roff" {
	local m bad=""
	for m in "$ROOT"/man/*.[17]; do
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null) || bad="$bad ${m##*/}"
		[ -z "$out" ] || bad="$bad ${m##*/}:$out"
	done
	[ -z "$bad" ] || { echo "bad:$bad"; return 1; }
}

# Runs "$@" where an allocation of more than about 64-100 MB fails: under
# the sanitizers by their allocator's limit (ulimit -v would stop ASan
# itself), else by ulimit -v.
low_memory() {
	case $SW_BIN in
	*/build/san/bin)
		# ASan says so on stderr when it returns NULL; that line is not
		# the tool's.
		ASAN_OPTIONS="$ASAN_OPTIONS:allocator_may_return_null=1:max_allocation_size_mb=64" "$@" \
			2> >(grep -v '^==[0-9]*==WARNING: AddressSanitizer failed to allocate' >&2) ;;
	*)
		(ulimit -v 150000 && exec "$@") ;;
	esac
}

@test "out of memory is 'sw-TOOL: out of memory' and exit 70, not an abort" {
	run -70 low_memory bash -c "{ printf '\"'; head -c 200000000 /dev/zero | tr '\\\\0' a; printf '\"\\n'; } | sw-enrich --max-line 1G"
	assert_output "sw-enrich: out of memory"
	# libjq's own allocations end the same way.
	run -70 low_memory bash -c "echo 1 | sw-enrich --jq '[range(1e9)]'"
	assert_output "sw-enrich: out of memory"
}

@test "an abbreviated long option is refused, naming the option, never showing its value" {
	local t
	for t in sw-sink-es "sw-mqtt sub"; do
		run -64 $t --password hunter2
		[ "${lines[0]}" = "${t% *}: unknown option '--password' (did you mean '--password-file'?)" ]
		run -64 $t --password=hunter2
		[ "${lines[0]}" = "${t% *}: unknown option '--password' (did you mean '--password-file'?)" ]
		! grep -q hunter2 <<<"$output"
	done
	# Unknown and ambiguous ones do not show a value either.
	run -64 sw-sink-es --passwd=hunter2
	[ "${lines[0]}" = "sw-sink-es: unknown option '--passwd'" ]
	run -64 sw-enrich --uu=hunter2
	[ "${lines[0]}" = "sw-enrich: unknown option '--uu'" ]
	# Not only secrets: no option is taken by a prefix.
	run -64 sw-enrich --processed <<<'{}'
	[ "${lines[0]}" = "sw-enrich: unknown option '--processed' (did you mean '--processed-at'?)" ]
	run -0 sw-enrich --processed-at=t <<<'{}'
}
