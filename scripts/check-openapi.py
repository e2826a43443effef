"""Validates openapi/loyalty-v1.json (the customer contract) and
openapi/loyalty-admin-v1.json (the reference endpoint's admin API) as
OpenAPI 3.1, every example in them against the schema it is given for
(request bodies, responses, parameters), and that each operation documents
the statuses its inputs can cause, every error in the ErrorBody shape
(what the API tester in scripts/contract-check.sh holds a backend to)."""
import json
import sys
from pathlib import Path

from openapi_spec_validator import validate
from openapi_schema_validator import OAS31Validator

def resolve(spec, item):
    """A local "#/components/KIND/NAME" reference's target (or the item)."""
    reference = item.get("$ref")
    if reference is None:
        return item
    kind, name = reference.split("/")[-2:]
    return spec["components"][kind][name]


def check_examples(spec):
    """Every example a request, response or parameter names matches its schema."""
    examples = spec["components"]["examples"]
    checked = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                parameter = resolve(spec, parameter)
                validator = OAS31Validator({**parameter["schema"], "components": spec["components"]})
                for example in parameter.get("examples", {}).values():
                    validator.validate(example["value"])
                    checked += 1
            bodies = []
            if "requestBody" in operation:
                bodies.append(operation["requestBody"])
            bodies.extend(resolve(spec, r) for r in operation.get("responses", {}).values())
            for body in bodies:
                media = body.get("content", {}).get("application/json")
                if not media:
                    continue
                # Local "#/components/..." references resolve inside this schema.
                schema = {**media["schema"], "components": spec["components"]}
                validator = OAS31Validator(schema)
                for example in media.get("examples", {}).values():
                    name = example["$ref"].rsplit("/", 1)[-1]
                    validator.validate(examples[name]["value"])
                    checked += 1
    if checked == 0:
        sys.exit("no examples checked")
    return checked


def check_statuses(spec, name):
    """Each operation documents what its inputs can cause: 400 for any
    parameter or body, 413 for a body, 401 behind a key or token, 422 with
    an Idempotency-Key; every 4xx and 5xx is an ErrorBody; an operation
    taking `lang` says in Content-Language what it served; every link
    names an operation of the file. Returns how many operations."""
    operation_ids = {
        operation["operationId"]
        for methods in spec["paths"].values()
        for operation in methods.values()
    }
    problems = []
    count = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            count += 1
            where = f"{name}: {method.upper()} {path}"
            responses = operation["responses"]
            parameters = [resolve(spec, p) for p in operation.get("parameters", [])]
            takes_input = "requestBody" in operation or any(p["in"] in ("query", "header") for p in parameters)
            needed = set()
            if takes_input:
                needed.add("400")
            if "requestBody" in operation:
                needed.add("413")
            if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in parameters):
                needed.add("422")
            security = operation.get("security", spec.get("security", []))
            if security and {} not in security:
                needed.add("401")
            for status in sorted(needed - set(responses)):
                problems.append(f"{where} does not document {status}")
            for status, response in responses.items():
                response = resolve(spec, response)
                # A readiness probe's 503 is its report (which check
                # fails), not an error: a load balancer reads the status.
                if operation.get("operationId") == "readyz" and status == "503":
                    continue
                if status[0] in "45":
                    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                    if schema.get("$ref") != "#/components/schemas/ErrorBody":
                        problems.append(f"{where}: {status} is not an ErrorBody")
                for link_name, link in response.get("links", {}).items():
                    if link.get("operationId") not in operation_ids:
                        problems.append(f"{where}: link {link_name} names no operation")
            if any(p["name"] == "lang" for p in parameters):
                ok = resolve(spec, responses.get("200", {}))
                if "Content-Language" not in ok.get("headers", {}):
                    problems.append(f"{where}: takes lang, its 200 has no Content-Language")
    if problems:
        sys.exit("\n".join(problems))
    return count


folder = Path(__file__).resolve().parent.parent / "openapi"
admin_path = folder / "loyalty-admin-v1.json"
admin = json.loads(admin_path.read_text())
validate(admin)
admin_checked = check_examples(admin)
admin_operations = check_statuses(admin, "admin")

spec_path = folder / "loyalty-v1.json"
spec = json.loads(spec_path.read_text())
validate(spec)
checked = check_examples(spec)
operations = check_statuses(spec, "customer")

# The edge cases the widget's types must agree on (crates/core/tests/openapi.rs
# checks the widget's side): each is valid or not as the file says. A case the
# schema refuses only for an optional part names it in `left_out`: the widget
# shows the rest of that answer without it.
cases_path = spec_path.parent / "edge-cases.json"
cases = json.loads(cases_path.read_text())
for case in cases:
    schema = {**spec["components"]["schemas"][case["as"]], "components": spec["components"]}
    valid = OAS31Validator(schema).is_valid(case["body"])
    if valid != case["valid"]:
        sys.exit(f"edge case {case['what']!r}: the schema says valid={valid}, the file {case['valid']}")
print(f"openapi: {spec_path.name} is valid OpenAPI 3.1; {checked} example uses match their schemas; "
      f"{len(cases)} edge cases agree with {cases_path.name}; {admin_path.name} is valid OpenAPI 3.1, "
      f"{admin_checked} example uses match their schemas; the {operations} + {admin_operations} operations "
      f"document their statuses, every error an ErrorBody")
