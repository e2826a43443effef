"""Signed Shopify `orders/paid` bodies for the endpoint benchmarks' webhook
rows (wrk's Lua has no HMAC): one "signature<TAB>body" line per order, ids
FIRST to FIRST+COUNT-1, signed with $SHOPIFY_API_SECRET.

    python3 bench/endpoint/shopify_bodies.py FILE FIRST COUNT
"""
import base64
import hashlib
import hmac
import json
import os
import sys

path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
secret = os.environ["SHOPIFY_API_SECRET"].encode()
with open(path, "w") as out:
    for n in range(first, first + count):
        body = json.dumps({
            "id": n, "order_number": n, "financial_status": "paid", "currency": "EUR",
            "subtotal_price": "49.90", "total_price": "54.80",
            "customer": {"id": 7_000_000 + n % 5_000, "first_name": "Bench"},
            "line_items": [{"id": n, "title": "Espresso Roast 1 kg", "quantity": 1, "price": "49.90"}],
        }, separators=(",", ":"))
        signature = base64.b64encode(hmac.new(secret, body.encode(), hashlib.sha256).digest()).decode()
        out.write(f"{signature}\t{body}\n")
