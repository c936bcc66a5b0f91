#!/usr/bin/env python3
"""A consumer group member whose SyncGroup comes after its leader's.

kafka-late-member.py HOST:PORT GROUP TOPIC WAIT_FILE

Joins GROUP (protocol "range", subscribed to TOPIC) by hand, over the
Kafka protocol, and once the JoinGroup answers waits until WAIT_FILE
exists (the test creates it when the leader has synced), so that its
SyncGroup comes late, as a member's does on a busy machine.  Then prints
one line per answer:

    sync ERROR TOPIC:PARTITION,...    the SyncGroup's error and assignment
    heartbeat ERROR                   a Heartbeat of the same generation

and leaves the group.  Kafka answers such a SyncGroup with the member's
assignment (error 0) and the Heartbeat with 0: the group did not
rebalance.
"""
import os
import socket
import struct
import sys
import time


def s16(v):
    return struct.pack(">h", v)


def s32(v):
    return struct.pack(">i", v)


def kstr(s):
    if s is None:
        return s16(-1)
    b = s.encode()
    return s16(len(b)) + b


def kbytes(b):
    return s32(len(b)) + b


class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def i16(self):
        (v,) = struct.unpack_from(">h", self.b, self.i)
        self.i += 2
        return v

    def i32(self):
        (v,) = struct.unpack_from(">i", self.b, self.i)
        self.i += 4
        return v

    def str(self):
        n = self.i16()
        if n < 0:
            return None
        v = self.b[self.i:self.i + n].decode()
        self.i += n
        return v

    def bytes(self):
        n = self.i32()
        if n < 0:
            return None
        v = self.b[self.i:self.i + n]
        self.i += n
        return v


class Conn:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=60)
        self.corr = 0

    def call(self, api, ver, body):
        self.corr += 1
        req = s16(api) + s16(ver) + s32(self.corr) + kstr("late-member") + body
        self.s.sendall(s32(len(req)) + req)
        size = struct.unpack(">i", self.recv(4))[0]
        r = Reader(self.recv(size))
        if r.i32() != self.corr:
            sys.exit("answer to another request")
        return r

    def recv(self, n):
        b = b""
        while len(b) < n:
            k = self.s.recv(n - len(b))
            if not k:
                sys.exit("connection closed")
            b += k
        return b


def main():
    addr, group, topic, wait = sys.argv[1:5]
    c = Conn(addr)
    meta = s16(0) + s32(1) + kstr(topic) + kbytes(b"")
    # JoinGroup v1: group, session and rebalance timeouts, member id,
    # protocol type, protocols.
    r = c.call(11, 1, kstr(group) + s32(10000) + s32(10000) + kstr("") +
               kstr("consumer") + s32(1) + kstr("range") + kbytes(meta))
    err, gen = r.i16(), r.i32()
    r.str()  # protocol
    r.str()  # leader
    member = r.str()
    if err:
        sys.exit("JoinGroup: error %d" % err)
    while not os.path.exists(wait):
        time.sleep(0.05)
    # SyncGroup v1, no assignments: a follower's.
    r = c.call(14, 1, kstr(group) + s32(gen) + kstr(member) + s32(0))
    r.i32()  # throttle
    err = r.i16()
    parts = []
    asg = r.bytes()
    if asg:
        a = Reader(asg)
        a.i16()  # version
        for _ in range(a.i32()):
            t = a.str()
            for _ in range(a.i32()):
                parts.append("%s:%d" % (t, a.i32()))
    print("sync %d %s" % (err, ",".join(parts)), flush=True)
    # Heartbeat v0: group, generation, member id.
    r = c.call(12, 0, kstr(group) + s32(gen) + kstr(member))
    print("heartbeat %d" % r.i16(), flush=True)
    # LeaveGroup v0.
    c.call(13, 0, kstr(group) + kstr(member))


main()
