#!/usr/bin/env bash
# Tweets: the 10 most used hashtags over 3-hour windows sliding every 5
# minutes, by the tweets' own time (Twitter's created_at).  The Spark job:
#   tweets.select($"created_at", explode(hashtags) as "hashtag")
#     .groupBy(window($"created_at", "3 hours", "5 minutes"), $"hashtag")
#     .count().orderBy(desc("count")).limit(10)
#
#   examples/04-top-hashtags.sh [FILE|-]   (default: generated tweets)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tweets() {
	if [ $# -gt 0 ]; then cat "$1"; else sw-gen tweets --count 3000 --seed 11; fi
}

tweets "$@" \
	| sw-enrich --jq '.created_at as $t
		| [.text | scan("#[^\\s#.,!?;:]+")] | unique[]
		| {created_at: $t, hashtag: .}' \
	| sw-window --time .created_at --time-format '%a %b %d %H:%M:%S %z %Y' \
		--size 3h --slide 5m --watermark 10m --group-by .hashtag \
		--count --top 10 --by count
