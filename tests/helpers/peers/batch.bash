# Peer answers computed once per `make check`: a test queues its requests
# to a peer server (avro-serve.js's protocol: one line "SCRIPT IN OUT
# ARG..." a request, one exit status a line back), runs the sw side, then
# runs the batch in one peer process; or, when the same batch over the same
# inputs, with the same peer scripts and the same pinned peer, was answered
# before (by the other build's suite, or an earlier run), takes the answers
# from build/peer-cache instead of starting the peer.  Only a batch whose
# every request exited 0 is kept.  The sw side runs every time: only what
# the peer would answer is reused.
#
#   peer_batch_begin
#   peer_q LABEL IN OUT SCRIPT ARG...   IN, OUT and ARGs relative to $D
#                                       (or absolute, under $ROOT)
#   peer_batch_run [--fresh] KEYFILE... -- COMMAND...
#       KEYFILEs: what the answers also depend on (the peer scripts, the
#       peer's package.json); COMMAND: the server, run in $D.  --fresh:
#       neither look for nor keep the answers (inputs that differ on
#       every run, such as a container with its random sync marker).
#
# The key is the SHA-256 of the batch, of every file a request names that
# exists when it is queued (the inputs; outputs come later), and of the
# KEYFILEs.  Entries are written to a temporary directory and renamed, so
# suites running at once never see half of one.  Needs $D.

PEER_CACHE="$ROOT/build/peer-cache"

peer_batch_begin() {
	PEER_LABELS=()
	PEER_OUTS=()
	PEER_INPUTS=()
	: >"$D/peer.batch"
}

# peer_q LABEL IN OUT SCRIPT ARG...: queues a request; LABEL names it when
# it fails.
peer_q() {
	local label=$1 line a
	shift
	PEER_LABELS+=("$label")
	PEER_OUTS+=("$2")
	printf -v line '\t%s' "${@:4}"
	printf '%s\t%s\t%s%s\n' "$3" "$1" "$2" "$line" >>"$D/peer.batch"
	for a in "$1" "${@:4}"; do
		case $a in
		/*) [ -f "$a" ] && PEER_INPUTS+=("$a") ;;
		?*) [ -f "$D/$a" ] && PEER_INPUTS+=("$a") ;;
		esac
	done
	return 0
}

# peer_key KEYFILE...: sets PEER_KEY.
peer_key() {
	(cd "$D" && sha256sum -- peer.batch "${PEER_INPUTS[@]}" "$@") |
		sha256sum >"$D/peer.key" || return 1
	read -r PEER_KEY _ <"$D/peer.key"
}

peer_batch_run() {
	local keyfiles=() entry= rc i=0 failed=0 fresh=
	[ "$1" != --fresh ] || { fresh=1; shift; }
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		keyfiles+=("$1")
		shift
	done
	shift
	if [ -z "$fresh" ]; then
		peer_key "${keyfiles[@]}" || return 1
		entry=$PEER_CACHE/$PEER_KEY
		if [ -d "$entry" ]; then
			cp -R "$entry/." "$D/"
			return
		fi
	fi
	(cd "$D" && "$@" <peer.batch >peer.status 2>peer.log) ||
		{ echo "peer server $*: exit $?" >&2; cat "$D/peer.log" >&2; return 1; }
	while IFS= read -r rc; do
		if [ "$rc" != 0 ]; then
			echo "${PEER_LABELS[i]}: peer exit $rc" >&2
			cat "$D/${PEER_OUTS[i]}" "$D/${PEER_OUTS[i]}.err" >&2
			failed=1
		fi
		i=$((i + 1))
	done <"$D/peer.status"
	if [ "$i" -ne ${#PEER_OUTS[@]} ]; then
		echo "peer server $*: $i answers to ${#PEER_OUTS[@]} requests" >&2
		cat "$D/peer.log" >&2
		return 1
	fi
	[ "$failed" -eq 0 ] || return 1
	[ -z "$entry" ] || peer_keep "$entry" "${PEER_OUTS[@]}"
}

# peer_keep ENTRY FILE...: copies the FILEs (relative to $D, with their
# directories) into the cache as ENTRY.  A failure to keep is no failure.
peer_keep() {
	local entry=$1 tmp
	shift
	mkdir -p "$PEER_CACHE" &&
		tmp=$(mktemp -d "$entry.XXXXXX") || return 0
	if (cd "$D" && cp --parents -- "$@" "$tmp/") &&
		mv -T "$tmp" "$entry" 2>/dev/null; then
		return 0
	fi
	rm -rf "$tmp"
	return 0
}
