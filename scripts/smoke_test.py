"""Smoke-test a deployed stack: /health, /model, GET /predict/{id} and POST /predict answer as they should.

    python scripts/smoke_test.py --config-env prod        # stack and region from samconfig.toml
    python scripts/smoke_test.py --url https://…/dev --auth NONE

The API URL and its access control come from the stack's outputs (ApiUrl, ApiAuth). Requests to an
API with IAM access are signed with SigV4 for the credentials of this environment (in CI, the
deploy role's); with JWT access the bearer token is read from the SMOKE_TEST_TOKEN variable. Checks:
/health says "ok"; GET /predict of one of the model's example clients returns a decision of the
same model version; POST /predict of an empty application returns a decision, or 409 when the model
does not accept applications. Exits 1 naming the first check that failed, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT_S = 30
DECISIONS = ("accepted", "refused")


class SmokeError(Exception):
    """A check failed or the stack cannot be tested; the message says which and why."""


@dataclass(frozen=True)
class Target:
    """The deployed API: base URL (with the stage), access control, and the region to sign for."""

    url: str
    auth: str
    region: str


def stack_of(samconfig: Path, config_env: str) -> tuple[str, str]:
    """Stack name and region of a samconfig.toml environment."""
    config = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    section = config.get(config_env, {}).get("deploy", {}).get("parameters", {})
    if "stack_name" not in section or "region" not in section:
        raise SmokeError(f"{samconfig}: [{config_env}.deploy.parameters] needs stack_name and region")
    return section["stack_name"], section["region"]


def target_of_stack(stack_name: str, region: str) -> Target:
    """The ApiUrl and ApiAuth outputs of a deployed stack."""
    import boto3

    stacks = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)
    outputs = {item["OutputKey"]: item["OutputValue"] for item in stacks["Stacks"][0].get("Outputs", [])}
    missing = {"ApiUrl", "ApiAuth"} - set(outputs)
    if missing:
        raise SmokeError(f"stack {stack_name} has no output {', '.join(sorted(missing))}")
    return Target(outputs["ApiUrl"].rstrip("/"), outputs["ApiAuth"], region)


class Client:
    """JSON over HTTPS to the target, signed as its access control requires."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._token = os.environ.get("SMOKE_TEST_TOKEN", "")
        if target.auth == "JWT" and not self._token:
            raise SmokeError("the API uses JWT access: put a bearer token in SMOKE_TEST_TOKEN")

    def _headers(self, method: str, url: str, body: bytes | None) -> dict[str, str]:
        headers = {"accept": "application/json"}
        if body is not None:
            headers["content-type"] = "application/json"
        if self._target.auth == "JWT":
            headers["authorization"] = f"Bearer {self._token}"
        elif self._target.auth == "IAM":
            import botocore.session
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest

            credentials = botocore.session.get_session().get_credentials()
            if credentials is None:
                raise SmokeError("the API uses IAM access and no AWS credentials are configured to sign with")
            request = AWSRequest(method=method, url=url, data=body, headers=headers)
            SigV4Auth(credentials.get_frozen_credentials(), "execute-api", self._target.region).add_auth(
                request
            )
            headers = dict(request.headers.items())
        return headers

    def call(self, method: str, path: str, payload: object = None) -> tuple[int, dict[str, Any]]:
        """Status and JSON object body of one request."""
        url = self._target.url + path
        body = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            url, data=body, method=method, headers=self._headers(method, url, body)
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except urllib.error.URLError as error:
            raise SmokeError(f"{method} {path}: {error.reason}") from None
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            raise SmokeError(f"{method} {path}: status {status}, body is not JSON") from None
        if not isinstance(body, dict):
            raise SmokeError(f"{method} {path}: status {status}, body is not a JSON object")
        return status, body


def check(client: Client) -> list[str]:
    """Run the checks in order; the lines to print, one per passed check. Raises at the first failure."""
    passed = []
    status, health = client.call("GET", "/health")
    if status != 200 or health.get("status") != "ok":
        reason = f": {health['reason']}" if health.get("reason") else ""
        raise SmokeError(f"GET /health: status {status}, the function is not ready to score{reason}")
    version = health["model_version"]
    passed.append(f"GET /health: ok, model {version} from {health.get('source')}")

    status, model = client.call("GET", "/model")
    if status != 200 or not model.get("example_client_ids"):
        raise SmokeError(f"GET /model: status {status}, no example client ids")
    client_id = model["example_client_ids"][0]
    status, decision = client.call("GET", f"/predict/{client_id}")
    if status != 200 or decision.get("decision") not in DECISIONS or decision.get("model_version") != version:
        raise SmokeError(f"GET /predict/<example client>: status {status}, not a decision of model {version}")
    passed.append(f"GET /predict/<example client>: {decision['decision']}")

    status, answer = client.call("POST", "/predict", {})
    expected = 200 if model.get("accepts_applications") else 409
    if status != expected or (status == 200 and answer.get("decision") not in DECISIONS):
        raise SmokeError(f"POST /predict of an empty application: status {status}, expected {expected}")
    passed.append(f"POST /predict: status {status} as expected")
    return passed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--config-env", help="samconfig.toml environment whose stack to test (default, prod)")
    where.add_argument("--url", help="API base URL, stage included")
    parser.add_argument(
        "--samconfig", type=Path, default=Path(__file__).resolve().parent.parent / "samconfig.toml"
    )
    parser.add_argument("--auth", choices=("IAM", "JWT", "NONE"), default="IAM", help="with --url")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "eu-west-3"), help="with --url")
    args = parser.parse_args(argv)
    try:
        if args.url:
            target = Target(args.url.rstrip("/"), args.auth, args.region)
        else:
            target = target_of_stack(*stack_of(args.samconfig, args.config_env))
        client = Client(target)
    except SmokeError as error:
        print(f"smoke_test: {error}", file=sys.stderr)
        return 2
    try:
        for line in check(client):
            print(f"passed  {line}")
    except SmokeError as error:
        print(f"smoke_test: FAILED {error}", file=sys.stderr)
        return 1
    print(f"smoke test of {target.url} ({target.auth} access) passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
