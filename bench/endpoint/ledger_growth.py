"""The cost of one write for a customer whose ledger holds 10, 1,000 and
10,000 entries: each customer's ledger is grown through the admin API
(adjustments of +100 and -100 in turn, so the points are spent as they come,
as orders and redemptions do), then 200 more writes are timed one after
another on one kept-alive connection. Prints one table row per size:
median and p90 milliseconds per write.

    python3 ledger_growth.py BASE_URL ADMIN_KEY STORE_LABEL [SIZES]

SIZES: comma-separated ledger sizes (default 10,1000,10000).
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

base, admin_key, label = sys.argv[1], sys.argv[2], sys.argv[3]
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
headers = {"Authorization": f"Bearer {admin_key}", "Content-Type": "application/json"}


def call(method, path, body, key=None):
    h = dict(headers)
    if key:
        h["Idempotency-Key"] = key
    conn.request(method, path, body=json.dumps(body), headers=h)
    reply = conn.getresponse()
    text = reply.read()
    if reply.status >= 300:
        raise SystemExit(f"{method} {path}: {reply.status} {text[:200]!r}")


def write(customer, n):
    points = 100 if n % 2 == 0 else -100
    call("POST", f"/admin/v1/customers/{customer}/adjustments",
         {"points": points, "reason": "benchmark"}, key=f"grow-{n}")


sizes = [int(n) for n in (sys.argv[4] if len(sys.argv) > 4 else "10,1000,10000").split(",")]
for size in sizes:
    customer = f"ledger-{size}"
    call("PUT", f"/admin/v1/customers/{customer}", {"first_name": "Ledger"})
    # The welcome bonus is the first entry.
    for n in range(size - 1):
        write(customer, n)
    times = []
    for n in range(size, size + 200):
        started = time.perf_counter()
        write(customer, n)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p90 = times[int(len(times) * 0.9)]
    print(f"| {label} | one write, {size:,} entries | {p50:.2f} ms | {p90:.2f} ms |", flush=True)
