"""What the API tester sends as an import file (scripts/contract-check.sh).

The admin API's `POST /admin/v1/imports` takes the file itself as its body,
`text/csv` or `application/x-ndjson`, whose OpenAPI schema can only say "a
string". Schemathesis does not know how to write either media type, so
without this module it cannot call the route at all: here the body is sent
as its UTF-8 bytes, and the strings drawn for it are mostly files of the
shapes the importer documents: Smile.io's `email,points` and
`email,vip_tier`, Rivo's balances, this endpoint's own export, and JSON lines;
with either separator, CRLF or LF, a BOM or none, quoted fields, and now and
then a header no app writes (which the route refuses with its documented
400). Loaded through SCHEMATHESIS_HOOKS by contract-check.sh.
"""

import json

import schemathesis
from hypothesis import strategies as st

# E-mail addresses in the reserved example domains, so that a file never
# names a real person; some in upper case (matched without regard to case).
emails = st.builds(
    lambda user, domain, upper: (f"{user}@{domain}".upper() if upper else f"{user}@{domain}"),
    st.from_regex(r"[a-z][a-z0-9._-]{0,11}", fullmatch=True),
    st.sampled_from(["example.com", "example.org", "example.net"]),
    st.booleans(),
)
points = st.integers(min_value=-5_000, max_value=1_000_000)
tiers = st.sampled_from(["Bronze", "silver", "GOLD", "Platinum", "Kaffeefreund", ""])


def cell(value, separator):
    """One CSV field, quoted when it has to be (and sometimes when not)."""
    text = str(value)
    if any(c in text for c in (separator, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def csv_files(draw):
    separator = draw(st.sampled_from([",", ";"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    shape = draw(st.sampled_from(["smile-points", "smile-tier", "rivo", "export", "unknown"]))
    if shape == "smile-points":
        header = ["email", "points"]
        row = st.tuples(emails, points)
    elif shape == "smile-tier":
        header = ["email", "vip_tier"]
        row = st.tuples(emails, tiers)
    elif shape == "rivo":
        header = ["Email", "Points balance", "First name"]
        row = st.tuples(emails, points, st.sampled_from(["Ana", "Jörg", "Zoë, Jr.", '"Bo"']))
    elif shape == "export":
        header = ["customer_id", "email", "points", "referral_code"]
        row = st.tuples(
            st.from_regex(r"[A-Za-z0-9_-]{1,16}", fullmatch=True),
            emails,
            points,
            st.from_regex(r"[A-Z0-9]{4,10}", fullmatch=True),
        )
    else:
        header = draw(st.lists(st.from_regex(r"[A-Za-z ]{1,12}", fullmatch=True), min_size=1, max_size=4))
        row = st.tuples(*[st.text(max_size=8) for _ in header])
    rows = draw(st.lists(row, min_size=0, max_size=6))
    lines = [separator.join(cell(h, separator) for h in header)]
    lines += [separator.join(cell(v, separator) for v in r) for r in rows]
    bom = "\ufeff" if draw(st.booleans()) else ""
    return bom + newline.join(lines) + newline


@st.composite
def ndjson_files(draw):
    rows = draw(
        st.lists(
            st.fixed_dictionaries({"email": emails}, optional={"points": points, "tier": tiers}),
            min_size=1,
            max_size=6,
        )
    )
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@schemathesis.serializer("text/csv", "application/x-ndjson")
def file_body(ctx, value):
    """The file as its UTF-8 bytes (drawn files and the OpenAPI file's
    examples alike); a body that is not text (a negative case) as JSON."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8")


@schemathesis.hook
def flatmap_body(ctx, body):
    """The import route's text body becomes a drawn file, or stays the drawn
    string now and then. The importer tells CSV from JSON lines by the
    content, as the route documents, so either goes under either media type.
    A body that is not a string (the negative phase) is left as drawn."""
    operation = ctx.operation
    if operation is None or operation.path != "/admin/v1/imports" or not isinstance(body, str):
        return st.just(body)
    return st.one_of(csv_files(), csv_files(), ndjson_files(), st.just(body))
