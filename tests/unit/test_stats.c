/*
 * test_stats: one report rendered as JSON members, as Prometheus text and
 * as a terminal line: partitions grouped into rows, families kept
 * together, _total added once, labels and help escaped.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "unit.h"

static const char *render(struct stats *s, int how)
{
	static struct sbuf b = SBUF_INIT;

	sbuf_reset(&b);
	if (how == 0)
		stats_json(s, &b);
	else if (how == 1)
		stats_prometheus(s, "sw-sink-es", &b);
	else
		stats_line(s, 1, &b);
	sbuf_putc(&b, '\0');
	return b.p;
}

int main(void)
{
	struct stats s;

	stats_init(&s);
	stats_counter(&s, "indexed", 7, "Documents acknowledged");
	stats_gauge(&s, "in_flight", -1, "Requests\nwaiting \\ here");
	stats_gauge_f(&s, "records_in_per_s", 12.5, "Rate");
	stats_time(&s, "watermark", 1639279010000, "Watermark");
	stats_time(&s, "none_yet", -1, "Nothing");
	stats_counter(&s, "late_total", 2, "Late");
	stats_part_gauge(&s, "web", 0, "checkpoint_offset", 43, "Offset");
	stats_part_gauge(&s, "a\"b\\c", 1, "checkpoint_offset", 17, "Offset");
	stats_part_counter(&s, "web", 0, "seen", 5, "Seen");

	UNIT_STREQ(render(&s, 0),
		   ",\"indexed\":7,\"in_flight\":-1,\"records_in_per_s\":12.5,"
		   "\"watermark\":\"2021-12-12T03:16:50.000Z\",\"none_yet\":null,"
		   "\"late_total\":2,\"partitions\":["
		   "{\"topic\":\"web\",\"partition\":0,\"checkpoint_offset\":43,\"seen\":5},"
		   "{\"topic\":\"a\\\"b\\\\c\",\"partition\":1,\"checkpoint_offset\":17}]",
		   "json: figures in order, partitions as rows");
	UNIT_STREQ(render(&s, 1),
		   "# HELP sw_sink_es_indexed_total Documents acknowledged\n"
		   "# TYPE sw_sink_es_indexed_total counter\n"
		   "sw_sink_es_indexed_total 7\n"
		   "# HELP sw_sink_es_in_flight Requests\\nwaiting \\\\ here\n"
		   "# TYPE sw_sink_es_in_flight gauge\n"
		   "sw_sink_es_in_flight -1\n"
		   "# HELP sw_sink_es_records_in_per_s Rate\n"
		   "# TYPE sw_sink_es_records_in_per_s gauge\n"
		   "sw_sink_es_records_in_per_s 12.5\n"
		   "# HELP sw_sink_es_watermark_seconds Watermark\n"
		   "# TYPE sw_sink_es_watermark_seconds gauge\n"
		   "sw_sink_es_watermark_seconds 1639279010\n"
		   "# HELP sw_sink_es_none_yet_seconds Nothing\n"
		   "# TYPE sw_sink_es_none_yet_seconds gauge\n"
		   "# HELP sw_sink_es_late_total Late\n"
		   "# TYPE sw_sink_es_late_total counter\n"
		   "sw_sink_es_late_total 2\n"
		   "# HELP sw_sink_es_checkpoint_offset Offset\n"
		   "# TYPE sw_sink_es_checkpoint_offset gauge\n"
		   "sw_sink_es_checkpoint_offset{topic=\"web\",partition=\"0\"} 43\n"
		   "sw_sink_es_checkpoint_offset{topic=\"a\\\"b\\\\c\",partition=\"1\"} 17\n"
		   "# HELP sw_sink_es_seen_total Seen\n"
		   "# TYPE sw_sink_es_seen_total counter\n"
		   "sw_sink_es_seen_total{topic=\"web\",partition=\"0\"} 5\n",
		   "prometheus: families, _total once, escaping, labels");
	UNIT_STREQ(render(&s, 2),
		   ", in_flight -1, records_in_per_s 12.5, watermark "
		   "\"2021-12-12T03:16:50.000Z\", none_yet null, late_total 2",
		   "line: from the given figure, no partitions");
	stats_reset(&s);
	UNIT_STREQ(render(&s, 0), "", "reset: empty");
	stats_free(&s);
	return unit_done();
}
