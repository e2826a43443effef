"""Validates openapi/loyalty-v1.json (the customer contract) and
openapi/loyalty-admin-v1.json (the reference endpoint's admin API) as
OpenAPI 3.1, and every example in them against the schema it is given for
(request bodies and responses)."""
import json
import sys
from pathlib import Path

from openapi_spec_validator import validate
from openapi_schema_validator import OAS31Validator

def check_examples(spec):
    """Every example a request or response names matches its schema."""
    examples = spec["components"]["examples"]
    checked = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            bodies = []
            if "requestBody" in operation:
                bodies.append(operation["requestBody"])
            bodies.extend(operation.get("responses", {}).values())
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


folder = Path(__file__).resolve().parent.parent / "openapi"
admin_path = folder / "loyalty-admin-v1.json"
admin = json.loads(admin_path.read_text())
validate(admin)
admin_checked = check_examples(admin)

spec_path = folder / "loyalty-v1.json"
spec = json.loads(spec_path.read_text())
validate(spec)
checked = check_examples(spec)

# The edge cases the widget's types must agree on (crates/core/tests/openapi.rs
# checks the widget's side): each is valid or not as the file says.
cases_path = spec_path.parent / "edge-cases.json"
cases = json.loads(cases_path.read_text())
for case in cases:
    schema = {**spec["components"]["schemas"][case["as"]], "components": spec["components"]}
    valid = OAS31Validator(schema).is_valid(case["body"])
    if valid != case["valid"]:
        sys.exit(f"edge case {case['what']!r}: the schema says valid={valid}, the file {case['valid']}")
print(f"openapi: {spec_path.name} is valid OpenAPI 3.1; {checked} example uses match their schemas; "
      f"{len(cases)} edge cases agree with {cases_path.name}; {admin_path.name} is valid OpenAPI 3.1, "
      f"{admin_checked} example uses match their schemas")
