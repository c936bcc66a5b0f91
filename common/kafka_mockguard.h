/*
 * kafka_mockguard: three things librdkafka's mock cluster (2.0.2) gets wrong,
 * mended in the bytes that go between it and its clients.
 *
 * 1. The JoinGroup requests it cannot serve.
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
 * 2. Its Metadata responses name controller id 0, a broker that does not
 * exist (its brokers are numbered from 1), so clients that send requests
 * to the controller (kafkajs's InitProducerId for idempotent producers)
 * fail.  The guard notes the Metadata requests of each connection (versions
 * 1 to 8, those with a controller and without flexible encoding) and, in
 * the response to each, rewrites the controller id to the first broker the
 * response lists.  The field keeps its size: nothing else moves.
 *
 * 3. A member whose SyncGroup comes after the leader's is told
 * INVALID_REQUEST.  The mock moves its group to Up as soon as the leader's
 * SyncGroup brings an assignment for every member, and answers only the
 * members whose SyncGroup it holds by then; one that comes later finds the
 * group Up, where the mock serves no SyncGroup, and must join again: a
 * whole rebalance for nothing, and another when its rejoin overtakes the
 * others'.  On a loaded machine members go round this way for many
 * seconds, while their offset commits are refused (a group that is
 * rebalancing takes none), so records are read twice.  Kafka answers such
 * a member with its assignment.  The guard keeps the assignments of each
 * group's last leader SyncGroup (versions 0 to 3, those the mock serves)
 * and notes a follower's SyncGroup of that same generation; when the mock
 * answers it INVALID_REQUEST, mockguard_replace gives the response Kafka
 * sends instead: no error, and the member's assignment.
 *
 * Connections are named by the caller's integer (a socket).  The guard owns
 * its copies of what it keeps; nothing here prints or does I/O.
 */
#ifndef SW_KAFKA_MOCKGUARD_H
#define SW_KAFKA_MOCKGUARD_H

#include <stddef.h>

#include "sbuf.h"

struct mockguard;

struct mockguard *mockguard_new(void);
void mockguard_free(struct mockguard *g);

/* A connection begins (a socket number reused) or ends: whatever was kept
 * for it is dropped. */
void mockguard_open(struct mockguard *g, int conn);
void mockguard_close(struct mockguard *g, int conn);

/* Feeds n bytes that the client sent on conn, in order.  Returns how many
 * JoinGroup requests completed in them must be refused (0 or more); why is
 * in the guard's last message (mockguard_why). */
int mockguard_feed(struct mockguard *g, int conn, const void *p, size_t n);
const char *mockguard_why(const struct mockguard *g);

/* Bytes the mock sends on conn: mockguard_out rewrites what needs it in
 * buf[0..n) (the caller's copy, about to be sent) without moving on;
 * mockguard_sent then moves on by the k bytes that were sent, which must
 * be the first k of what was given to mockguard_out. */
void mockguard_out(struct mockguard *g, int conn, unsigned char *buf,
		   size_t n);
void mockguard_sent(struct mockguard *g, int conn, const unsigned char *buf,
		    size_t k);

/* Whether buf[0..n), bytes the mock is about to send on conn, is one
 * whole response that the guard answers instead (3 above): if so, out is
 * set to the response to send in its place, returns 1, and the caller
 * sends all of out and takes buf as sent (mockguard_out and mockguard_sent
 * are not called for it).  Otherwise returns 0 and out is untouched. */
int mockguard_replace(struct mockguard *g, int conn,
		      const unsigned char *buf, size_t n, struct sbuf *out);

#endif
