# Helpers for tests/30-sw-window.bats.

WIN="$FIXTURES/window"
export WIN

# Prints the value of a counter of the --stats line found on stdin.
stats_field() {
	grep '"tool":"sw-window"' | jq -r ".$1"
}

# Waits (up to 20 s) until file $1 has at least $2 lines.
wait_lines() {
	local i
	for i in $(seq 200); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "wait_lines: $1 has fewer than $2 lines" >&2
	return 1
}
