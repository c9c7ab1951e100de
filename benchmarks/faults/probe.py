#!/usr/bin/env python3
"""Helpers of benchmarks/faults.sh (standard library only).

  probe.py burst URL[,URL...] CLIENT N
      N requests at once from one client (X-Forwarded-For: CLIENT), spread round-robin over
      the URLs: every connection is opened first, then all requests are sent together.
      Prints one line: "admitted=<2xx and 404> status=<code>:<count>,..."

  probe.py watch OUT SECONDS BANNED URL[,URL...]
      Every 50 ms, for each URL: one request from a fresh client address (does the response
      carry a RateLimit header, i.e. did the store decide it?) and one from the BANNED client.
      Writes CSV lines "time,instance,kind,status,ratelimit,millis" to OUT.

  probe.py analyze OUT FAULT_AT READY_AT [END_AT]
      Reads the CSV written by watch; FAULT_AT is when the fault was injected, READY_AT when
      Redis answered PING again (epoch seconds). Prints, per instance, the seconds from READY_AT
      until the fresh clients' responses carry RateLimit headers again (first such response, and
      from when on every response does), and the banned client's statuses before, during and
      after the fault.
"""

import http.client
import random
import sys
import threading
import time
from urllib.parse import urlsplit


def _target(url):
    parts = urlsplit(url)
    return parts.hostname, parts.port, parts.path or "/"


def burst(urls, client, n):
    targets = [_target(u) for u in urls.split(",")]
    connections = []
    for i in range(n):
        host, port, path = targets[i % len(targets)]
        c = http.client.HTTPConnection(host, port, timeout=30)
        c.connect()
        connections.append((c, path))
    statuses = [None] * n
    barrier = threading.Barrier(n)

    def one(i):
        c, path = connections[i]
        barrier.wait()
        try:
            c.request("GET", path, headers={"X-Forwarded-For": client})
            r = c.getresponse()
            r.read()
            statuses[i] = r.status
        except Exception as ex:  # noqa: BLE001 - a failed request is a result too
            statuses[i] = "error:" + type(ex).__name__
        finally:
            c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    # admitted: the request reached the handler (200, or 404 for a path without a link)
    admitted = sum(v for k, v in counts.items() if isinstance(k, int) and (200 <= k < 300 or k == 404))
    print("admitted=%d status=%s" % (admitted, ",".join("%s:%d" % (k, counts[k]) for k in sorted(counts, key=str))))


def watch(out, seconds, banned, urls):
    targets = [_target(u) for u in urls.split(",")]
    end = time.time() + seconds
    rnd = random.Random()
    lock = threading.Lock()
    with open(out, "w") as f:

        def request(instance, kind, client):
            host, port, path = targets[instance]
            start = time.time()
            status, ratelimit = "error", 0
            try:
                c = http.client.HTTPConnection(host, port, timeout=10)
                c.request("GET", path, headers={"X-Forwarded-For": client})
                r = c.getresponse()
                r.read()
                status = r.status
                ratelimit = 1 if r.getheader("RateLimit") is not None else 0
                c.close()
            except Exception:  # noqa: BLE001
                pass
            with lock:
                f.write("%.3f,%d,%s,%s,%d,%.1f\n" % (start, instance, kind, status, ratelimit,
                                                    (time.time() - start) * 1000))

        def loop(instance, kind):
            while time.time() < end:
                tick = time.time()
                if kind == "fresh":
                    # 100.64.0.0/10: a new client each time, far from any limit
                    client = "100.%d.%d.%d" % (rnd.randint(64, 127), rnd.randint(0, 255), rnd.randint(1, 254))
                else:
                    client = banned
                request(instance, kind, client)
                time.sleep(max(0.0, 0.05 - (time.time() - tick)))

        threads = [threading.Thread(target=loop, args=(i, k)) for i in range(len(targets)) for k in ("fresh", "banned")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def analyze(out, fault_at, ready_at, end_at=None):
    rows = []
    with open(out) as f:
        for line in f:
            t, instance, kind, status, ratelimit, millis = line.strip().split(",")
            rows.append((float(t), int(instance), kind, status, int(ratelimit), float(millis)))
    rows.sort()
    instances = sorted({r[1] for r in rows})
    for i in instances:
        fresh = [r for r in rows if r[1] == i and r[2] == "fresh"]
        after = [r for r in fresh if r[0] >= ready_at]
        first = next((r for r in after if r[4] == 1), None)
        failing = [r for r in after if r[4] == 0]
        # from when on every fresh response carries RateLimit (the probe after the last one without)
        stable = None
        if first is not None:
            if failing:
                later = [r for r in after if r[0] > failing[-1][0] and r[4] == 1]
                stable = later[0] if later else None
            else:
                stable = first
        during = [r for r in fresh if fault_at <= r[0] < ready_at]
        during_status = {}
        for r in during:
            during_status[r[3]] = during_status.get(r[3], 0) + 1
        fmt = lambda r: ("%.2f s" % (r[0] - ready_at)) if r is not None else "never"
        print("instance %d: limiting resumed %s after Redis answered (first RateLimit header), "
              "every response decided again from %s; fresh clients during the fault: %s; "
              "max probe latency during/after: %.0f ms" % (
                  i, fmt(first), fmt(stable),
                  " ".join("%s:%d" % kv for kv in sorted(during_status.items())) or "-",
                  max([r[5] for r in fresh if r[0] >= fault_at] or [0])))
        banned = [r for r in rows if r[1] == i and r[2] == "banned"]
        for label, lo, hi in (("before", 0, fault_at), ("during", fault_at, ready_at),
                              ("after", ready_at, end_at or float("inf"))):
            part = [r for r in banned if lo <= r[0] < hi]
            counts = {}
            for r in part:
                counts[r[3]] = counts.get(r[3], 0) + 1
            refused = counts.get("403", 0)
            print("  banned client %-6s the fault: %d of %d probes refused with 403 (%s)" % (
                label, refused, len(part), " ".join("%s:%d" % kv for kv in sorted(counts.items())) or "-"))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "burst":
        burst(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "watch":
        watch(sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif cmd == "analyze":
        analyze(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]) if len(sys.argv) > 5 else None)
    else:
        sys.exit("unknown command " + cmd)
