/*
 * kafka_groupguard: the JoinGroup requests that librdkafka's mock cluster
 * (2.0.2) cannot serve, found in the bytes clients send to it.
 *
 * The mock takes the leader's first assignment protocol as the group's and
 * asserts that every member's first protocol is that one: a member that
 * puts another first (sw-consume with partition.assignment.strategy range
 * beside one with roundrobin, or beside a kafkajs consumer) aborts the whole
 * cluster.  This module reads each connection's request stream, keeps per
 * connection the group it joined and its first protocol, and names a
 * JoinGroup whose first protocol differs from that of another connection in
 * the same group, so that the caller can make the mock refuse it
 * (INCONSISTENT_GROUP_PROTOCOL, as Kafka answers a member that shares no
 * protocol with its group) before the mock handles it.  A LeaveGroup or the
 * end of the connection takes the member out.
 *
 * Connections are named by the caller's integer (a socket).  The guard owns
 * its copies of what it keeps; nothing here prints or does I/O.
 */
#ifndef SW_KAFKA_GROUPGUARD_H
#define SW_KAFKA_GROUPGUARD_H

#include <stddef.h>

struct groupguard;

struct groupguard *groupguard_new(void);
void groupguard_free(struct groupguard *g);

/* A connection begins (a socket number reused) or ends: whatever was kept
 * for it is dropped. */
void groupguard_open(struct groupguard *g, int conn);
void groupguard_close(struct groupguard *g, int conn);

/* Feeds n bytes that the client sent on conn, in order.  Returns how many
 * JoinGroup requests completed in them must be refused (0 or more); why is
 * in the guard's last message (groupguard_why). */
int groupguard_feed(struct groupguard *g, int conn, const void *p, size_t n);
const char *groupguard_why(const struct groupguard *g);

#endif
