"""Deployment: the SAM template's constraints and permissions against the code, samconfig, the layers'
pins, the workflows, the local-invocation and size-check scripts, and (slow) `sam validate --lint`,
`sam build`, the size budget of the built functions and the invocation of every event in events/.
"""

from __future__ import annotations

import ast
import fcntl
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
sys.path.insert(0, str(SCRIPTS))

import cfn_template  # noqa: E402
import check_sizes  # noqa: E402
import lambda_invoke  # noqa: E402

SAM = REPO / ".venv-sam" / "bin" / "sam"
EVENTS = sorted((REPO / "events").glob("*.json"))
WORKFLOWS = REPO / ".github" / "workflows"
REGION = "eu-west-3"
SAM_ENV = {"AWS_DEFAULT_REGION": REGION, "SAM_CLI_TELEMETRY": "0"}
# The python3.12 x86_64 Lambda runtime, for evaluating dependency markers.
LAMBDA_MARKERS = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "extra": "",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return cfn_template.load_template(REPO / "template.yaml")


def satisfies(spec: Mapping[str, Any], value: str) -> bool:
    """CloudFormation's own check of a parameter value against the constraints the template declares."""
    if "AllowedValues" in spec and value not in [str(allowed) for allowed in spec["AllowedValues"]]:
        return False
    # CloudFormation matches AllowedPattern against the whole value.
    if "AllowedPattern" in spec and re.fullmatch(spec["AllowedPattern"], value) is None:
        return False
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            return False
        if number < spec.get("MinValue", float("-inf")) or number > spec.get("MaxValue", float("inf")):
            return False
    return True


# ----------------------------------------------------------------------------- template constraints

PARAMETER_EXAMPLES = {
    "ModelS3Uri": (
        ["", "s3://my-bucket/", "s3://my-bucket/models/20261124T031500Z-3f2a9c1d/", "s3://a.b-c/x/y/"],
        [
            "s3://my-bucket/models/v1",  # no trailing slash: a prefix, not an object
            "s3://my-bucket",
            "https://my-bucket.s3.amazonaws.com/models/v1/",
            "s3://My-Bucket/models/",
            "s3://ab/models/",
            "s3://-bucket/models/",
            "s3://my-bucket/models with space/",
            " s3://my-bucket/models/",
        ],
    ),
    "LogLevel": (["DEBUG", "INFO", "WARNING", "ERROR"], ["info", "TRACE", "VERBOSE", "", "10"]),
    "ApiAuth": (["IAM", "JWT", "NONE"], ["iam", "API_KEY", "COGNITO", ""]),
    "Stage": (["dev", "prod", "eu-test-2"], ["", "Prod", "2026", "dev stage", "dev/v1", "x" * 40]),
    "JwtIssuer": (
        ["", "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEf"],
        ["http://issuer.example", "issuer.example", "https://has space"],
    ),
    "JwtAudience": (["", "7k3f9client"], ["a,b", "a b"]),
    "SignInAuthorizeUrl": (
        ["", "https://officers.auth.eu-west-3.amazoncognito.com/oauth2/authorize"],
        [
            "http://idp.example/authorize",
            "https://idp.example/authorize?x=1",
            "https://idp.example/a#b",
            "idp",
        ],
    ),
    "SignInTokenUrl": (
        ["", "https://officers.auth.eu-west-3.amazoncognito.com/oauth2/token"],
        ["http://idp.example/token", "https://idp.example/token?x=1", "https://has space/token"],
    ),
    "SignInScope": (
        ["openid", "openid profile", "api://scoring/officer"],
        ["", "openid  profile", " openid", 'a"b'],
    ),
    "LogRetentionDays": (["180", "400", "3653"], ["30", "179", "1000", "forever"]),
    "BatchRetentionDays": (["1", "90", "3650"], ["0", "-5", "3651", "ninety"]),
    "DecisionRetentionDays": (["1", "730", "3650"], ["0", "3651", "two years"]),
    "DriftingInputsAlarmPercent": (["1", "20", "100"], ["0", "101", "a fifth"]),
    "DriftWindowMinutes": (["5", "60", "1440"], ["0", "4", "1441", "an hour"]),
    "AlarmTopicArn": (
        ["", "arn:aws:sns:eu-west-3:123456789012:alerts"],
        ["alerts", "arn:aws:sqs:eu-west-3:1:q"],
    ),
}


@pytest.mark.parametrize("parameter", sorted(PARAMETER_EXAMPLES))
def test_parameter_constraints_accept_good_values_and_reject_bad_ones(template, parameter):
    spec = template["Parameters"][parameter]
    good, bad = PARAMETER_EXAMPLES[parameter]
    assert [value for value in good if not satisfies(spec, value)] == []
    assert [value for value in bad if satisfies(spec, value)] == []
    assert satisfies(spec, str(spec["Default"])), "the default must pass its own constraint"


def test_every_parameter_has_examples(template):
    assert set(template["Parameters"]) == set(PARAMETER_EXAMPLES)


def test_every_model_uri_the_template_accepts_is_one_the_loader_can_parse(template):
    from credit_scoring.bundle.loader import parse_s3_uri

    good, _ = PARAMETER_EXAMPLES["ModelS3Uri"]
    for uri in good[1:]:
        bucket, prefix = parse_s3_uri(uri)
        assert f"s3://{bucket}/{prefix}" == uri


def test_every_sign_in_setting_the_template_accepts_is_one_the_function_accepts(template):
    from credit_scoring.api.sign_in import SignIn

    authorize = PARAMETER_EXAMPLES["SignInAuthorizeUrl"][0][1]
    token = PARAMETER_EXAMPLES["SignInTokenUrl"][0][1]
    for scope in PARAMETER_EXAMPLES["SignInScope"][0]:
        assert SignIn(authorize, token, "7k3f9client", scope).scope == scope


def test_log_levels_are_ones_python_logging_knows(template):
    for level in template["Parameters"]["LogLevel"]["AllowedValues"]:
        assert isinstance(logging.getLevelName(level), int), level


def test_rules_refuse_jwt_without_issuer_and_an_open_prod_api(template):
    rules = template["Rules"]
    assert rules["JwtNeedsIssuerAndAudience"]["RuleCondition"] == {"Fn::Equals": [{"Ref": "ApiAuth"}, "JWT"]}
    asserted = {json.dumps(item["Assert"]) for item in rules["JwtNeedsIssuerAndAudience"]["Assertions"]}
    assert asserted == {
        json.dumps({"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]})
        for name in ("JwtIssuer", "JwtAudience")
    }
    prod = rules["ProdIsNeverOpen"]
    assert prod["RuleCondition"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert prod["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiAuth"}, "NONE"]}]}


def _resolved(template: Mapping[str, Any], **parameters: str) -> cfn_template.Resolver:
    return cfn_template.Resolver(template, cfn_template.LocalStack(parameters=parameters))


@pytest.mark.parametrize(
    ("auth", "security"), [("IAM", [{"sigv4": []}]), ("JWT", [{"jwt": []}]), ("NONE", [])]
)
def test_the_api_route_is_authorised_as_api_auth_says(template, auth, security):
    resolver = _resolved(template, ApiAuth=auth, JwtIssuer="https://issuer.example", JwtAudience="client")
    body = resolver.resolve(template["Resources"]["ScoringHttpApi"]["Properties"]["DefinitionBody"])
    assert body["paths"]["$default"]["x-amazon-apigateway-any-method"]["security"] == security
    schemes = body["components"]["securitySchemes"]
    assert ("jwt" in schemes) == (auth == "JWT")
    if auth == "JWT":
        configuration = schemes["jwt"]["x-amazon-apigateway-authorizer"]["jwtConfiguration"]
        assert configuration == {"issuer": "https://issuer.example", "audience": ["client"]}


SIGN_IN = {
    "SignInAuthorizeUrl": "https://idp.example/oauth2/authorize",
    "SignInTokenUrl": "https://idp.example/oauth2/token",
}
DASHBOARD_ROUTES = ("/", "/static/{proxy+}")


@pytest.mark.parametrize(
    ("auth", "sign_in", "page_security"),
    [
        ("JWT", True, []),  # the page signs officers in: a browser arrives without a token
        ("JWT", False, [{"jwt": []}]),
        ("IAM", False, [{"sigv4": []}]),
        ("NONE", False, []),
    ],
)
def test_the_dashboard_is_public_only_when_it_signs_officers_in_itself(
    template, auth, sign_in, page_security
):
    parameters = {"ApiAuth": auth, "JwtIssuer": "https://issuer.example", "JwtAudience": "client"}
    resolver = _resolved(template, **parameters, **(SIGN_IN if sign_in else {}))
    body = resolver.resolve(template["Resources"]["ScoringHttpApi"]["Properties"]["DefinitionBody"])
    assert {route: body["paths"][route]["get"]["security"] for route in DASHBOARD_ROUTES} == dict.fromkeys(
        DASHBOARD_ROUTES, page_security
    )
    events = template["Resources"]["ScoringApiFunction"]["Properties"]["Events"]
    assert {(e["Properties"].get("Path"), e["Properties"].get("Method")) for e in events.values()} == {
        (None, None),  # the $default route: everything else, as ApiAuth says
        *((route, "GET") for route in DASHBOARD_ROUTES),
    }
    variables = resolver.resolve(
        cfn_template.function_properties(template, "ScoringApiFunction")["Environment"]["Variables"]
    )
    from credit_scoring.api.sign_in import SignIn

    configured = SignIn.from_environment(variables)
    if sign_in:
        assert configured == SignIn(*SIGN_IN.values(), "client", "openid")
    else:
        assert configured is None


def test_rules_refuse_a_half_configured_sign_in_or_one_without_jwt(template):
    rule = template["Rules"]["SignInNeedsJwtAndBothEndpoints"]
    assertions = [item["Assert"] for item in rule["Assertions"]]
    assert {"Fn::Equals": [{"Ref": "ApiAuth"}, "JWT"]} in assertions
    both = {"Fn::And": [{"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]} for name in SIGN_IN]}
    assert both in assertions


def _statements(template: Mapping[str, Any], function: str, **parameters: str) -> list[dict[str, Any]]:
    policies = _resolved(template, **parameters).resolve(
        cfn_template.function_properties(template, function).get("Policies", [])
    )
    return [statement for policy in policies for statement in policy["Statement"]]


@pytest.mark.parametrize("function", ["ScoringApiFunction", "BatchScoringFunction", "MonitoringFunction"])
def test_the_model_bundle_prefix_is_readable_only_when_model_s3_uri_is_set(template, function):
    uri = "s3://models-bucket/models/20261124T031500Z-3f2a9c1d/"
    with_uri = _statements(template, function, ModelS3Uri=uri)
    reading = [statement for statement in with_uri if statement.get("Sid") == "ReadModelBundle"]
    assert reading == [
        {
            "Sid": "ReadModelBundle",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::models-bucket/models/20261124T031500Z-3f2a9c1d/*",
        }
    ]
    assert not [
        statement
        for statement in _statements(template, function)
        if statement.get("Sid") == "ReadModelBundle"
    ]


def _bucket_arn(template: Mapping[str, Any]) -> str:
    bucket = _resolved(template).resolve(template["Resources"]["DataBucket"]["Properties"]["BucketName"])
    return f"arn:aws:s3:::{bucket}"


def test_the_api_function_may_only_write_its_windows_and_read_the_latest_summaries(template):
    from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX
    from credit_scoring.monitoring.summaries import PERFORMANCE_LATEST, REQUESTS_DRIFT_LATEST
    from credit_scoring.monitoring.windows import WINDOWS_PREFIX

    bucket = _bucket_arn(template)
    assert _statements(template, "ScoringApiFunction") == [
        {
            "Sid": "WriteRequestDriftCounts",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": f"{bucket}/{WINDOWS_PREFIX}*",
        },
        {
            "Sid": "WriteKeptDecisions",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": f"{bucket}/{DECISIONS_PREFIX}*",
        },
        {
            "Sid": "ReadLatestMonitoringSummaries",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [f"{bucket}/{REQUESTS_DRIFT_LATEST}", f"{bucket}/{PERFORMANCE_LATEST}"],
        },
    ]


def test_the_monitoring_function_reads_and_removes_the_windows_and_writes_only_the_summaries(template):
    from credit_scoring.batch import config
    from credit_scoring.batch.outcomes import PERFORMANCE_PREFIX
    from credit_scoring.batch.request_drift import REQUESTS_DRIFT_PREFIX
    from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX
    from credit_scoring.monitoring.outcomes import OUTCOMES_PREFIX
    from credit_scoring.monitoring.windows import WINDOWS_PREFIX

    statements = {statement["Sid"]: statement for statement in _statements(template, "MonitoringFunction")}
    bucket = _bucket_arn(template)
    read = [
        f"{bucket}/{OUTCOMES_PREFIX}*",
        f"{bucket}/{config.SCORED_PREFIX}*",
        f"{bucket}/{DECISIONS_PREFIX}*",
    ]
    assert statements["ReadAndRemoveDriftWindows"]["Action"] == ["s3:GetObject", "s3:DeleteObject"]
    assert statements["ReadAndRemoveDriftWindows"]["Resource"] == f"{bucket}/{WINDOWS_PREFIX}*"
    assert statements["ReadOutcomesAndKeptDecisions"]["Action"] == "s3:GetObject"
    assert statements["ReadOutcomesAndKeptDecisions"]["Resource"] == read
    assert statements["ListMonitoringKeys"]["Resource"] == bucket
    listed = [f"{WINDOWS_PREFIX}*", f"{OUTCOMES_PREFIX}*", f"{config.SCORED_PREFIX}*", f"{DECISIONS_PREFIX}*"]
    assert statements["ListMonitoringKeys"]["Condition"] == {"StringLike": {"s3:prefix": listed}}
    assert statements["WriteMonitoringSummaries"]["Action"] == "s3:PutObject"
    assert statements["WriteMonitoringSummaries"]["Resource"] == [
        f"{bucket}/{REQUESTS_DRIFT_PREFIX}*",
        f"{bucket}/{PERFORMANCE_PREFIX}*",
    ]
    assert len(statements) == 4
    events = cfn_template.function_properties(template, "MonitoringFunction")["Events"]
    assert events["DriftWindowClosed"]["Type"] == "Schedule"
    schedule = events["DriftWindowClosed"]["Properties"]["Schedule"]
    assert schedule == {"Fn::Sub": "rate(${DriftWindowMinutes} minutes)"}
    outcomes = events["OutcomesFile"]
    assert outcomes["Type"] == "S3"
    assert outcomes["Properties"]["Filter"]["S3Key"]["Rules"] == [
        {"Name": "prefix", "Value": OUTCOMES_PREFIX}
    ]


def test_batch_permissions_follow_the_batch_codes_prefixes_and_never_write_the_trigger_prefix(template):
    from credit_scoring.batch import config
    from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX
    from credit_scoring.monitoring.windows import WINDOWS_PREFIX

    bucket = _resolved(template).resolve(template["Resources"]["DataBucket"]["Properties"]["BucketName"])
    statements = {statement["Sid"]: statement for statement in _statements(template, "BatchScoringFunction")}
    for statement in statements.values():
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert statement["Effect"] == "Allow"
        assert [action for action in actions if "*" in action] == []

    def prefixes(sid: str) -> set[str]:
        resources = statements[sid]["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        return {resource.removeprefix(f"arn:aws:s3:::{bucket}/").removesuffix("*") for resource in resources}

    outputs = {config.SCORED_PREFIX, config.REJECTED_PREFIX, config.REPORTS_PREFIX, config.RESULTS_PREFIX}
    assert prefixes("ReadBatchObjects") == {
        config.INCOMING_PREFIX,
        config.PARTS_PREFIX,
        config.REPORTS_PREFIX,
        config.RESULTS_PREFIX,
    }
    assert prefixes("WriteBatchOutputs") == outputs | {config.PARTS_PREFIX}
    assert prefixes("CleanUpFanOutParts") == {config.PARTS_PREFIX}
    assert prefixes("WriteRequestDriftCounts") == {WINDOWS_PREFIX}
    assert prefixes("WriteKeptDecisions") == {DECISIONS_PREFIX}  # the SQS requests' decisions
    assert not any(prefix.startswith(config.INCOMING_PREFIX) for prefix in prefixes("WriteBatchOutputs"))
    assert statements["ListBatchKeys"]["Resource"] == f"arn:aws:s3:::{bucket}"
    assert statements["FanOutThroughOwnQueue"]["Resource"] == _resolved(template).resolve(
        {"Fn::GetAtt": ["BatchQueue", "Arn"]}
    )


def test_only_new_objects_under_the_incoming_prefix_trigger_batch_scoring(template):
    from credit_scoring.batch import config

    events = cfn_template.function_properties(template, "BatchScoringFunction")["Events"]
    s3 = [event["Properties"] for event in events.values() if event["Type"] == "S3"]
    assert len(s3) == 1
    assert s3[0]["Bucket"] == {"Ref": "DataBucket"}
    assert s3[0]["Events"] == "s3:ObjectCreated:*"
    assert s3[0]["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": config.INCOMING_PREFIX}]


def test_the_queue_outlives_the_function_timeout_and_dead_letters_after_a_few_receives(template):
    function = cfn_template.function_properties(template, "BatchScoringFunction")
    queue = template["Resources"]["BatchQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["BatchDeadLetterQueue", "Arn"]}
    assert 2 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 5
    sqs = [event["Properties"] for event in function["Events"].values() if event["Type"] == "SQS"]
    assert sqs[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["BatchDeadLetterQueue", "Arn"]
    }


def test_the_api_function_answers_within_the_http_api_integration_limit(template):
    api = cfn_template.function_properties(template, "ScoringApiFunction")
    assert api["Timeout"] < 30
    assert {event["Type"] for event in api["Events"].values()} == {"HttpApi"}  # only the HTTP API calls it


def test_a_5xx_answered_by_the_api_raises_an_alarm(template):
    """The app answers its own 5xx (a 503 for a bundle it will not serve, the last-resort 500) as HTTP
    responses through Mangum, which Lambda counts as successful invocations: only the HTTP API's own 5xx
    metric, on the stage the API serves, sees them (and a function error, which the gateway answers 5xx)."""
    resources = template["Resources"]
    api = resources["ScoringHttpApi"]["Properties"]
    alarms = [
        resource["Properties"]
        for resource in resources.values()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
        and resource["Properties"].get("Namespace") == "AWS/ApiGateway"
        and resource["Properties"].get("MetricName") == "5xx"
    ]
    assert len(alarms) == 1
    (alarm,) = alarms
    dimensions = {dimension["Name"]: dimension["Value"] for dimension in alarm["Dimensions"]}
    assert dimensions == {"ApiId": {"Ref": "ScoringHttpApi"}, "Stage": api["StageName"]}
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum",
        0,
        "GreaterThanThreshold",
    )
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == resources["DeadLetterAlarm"]["Properties"]["AlarmActions"]


@pytest.mark.parametrize("function", ["BatchScoringFunction", "MonitoringFunction"])
def test_the_drift_alarms_watch_the_metrics_batch_files_and_the_request_windows_publish(
    template, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, function: str
):
    from credit_scoring.batch.metrics import publish_drift_metrics
    from credit_scoring.monitoring.drift import DriftMonitor
    from credit_scoring.monitoring.reference import build_reference

    variables = cfn_template.function_properties(template, function)["Environment"]["Variables"]
    for name in ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"):
        monkeypatch.setenv(name, variables[name])
    rng = np.random.default_rng(0)
    monitor = DriftMonitor(build_reference(rng.random(1000), {}, {}))
    monitor.observe_score(rng.random(500) ** 3)  # drifting: the alarm's metric reads 1
    capsys.readouterr()
    if function == "MonitoringFunction":
        from credit_scoring.batch.request_drift import METRICS_SERVICE

        publish_drift_metrics(monitor.summary(), service=METRICS_SERVICE)
    else:
        publish_drift_metrics(monitor.summary())
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    published = {metric["Name"] for metric in directive["Metrics"]}
    resources = template["Resources"]
    watched = {}
    for name in ("ScoreDriftAlarm", "DriftingInputsAlarm"):
        alarm = resources[name]["Properties"]
        metrics = [query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query]
        dimensions = {dimension: record[dimension] for dimension in directive["Dimensions"][0]}
        (metric,) = [m for m in metrics if {d["Name"]: d["Value"] for d in m["Dimensions"]} == dimensions]
        assert metric["Namespace"] == directive["Namespace"]
        (returned,) = [query for query in alarm["Metrics"] if query.get("ReturnData")]
        assert returned["Expression"] == f"MAX([{', '.join(q['Id'] for q in alarm['Metrics'][:-1])}])"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == resources["DeadLetterAlarm"]["Properties"]["AlarmActions"]
        watched[metric["MetricName"]] = record[metric["MetricName"]]
    assert set(watched) <= published
    assert watched["ScoreDrift"] == [1.0]


def test_kept_decisions_outlive_the_batch_files_and_every_batch_prefix_expires_once(template):
    from credit_scoring.batch import config
    from credit_scoring.batch.outcomes import PERFORMANCE_PREFIX
    from credit_scoring.batch.request_drift import REQUESTS_DRIFT_PREFIX
    from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX
    from credit_scoring.monitoring.outcomes import OUTCOMES_PREFIX
    from credit_scoring.monitoring.windows import WINDOWS_PREFIX

    summaries = REQUESTS_DRIFT_PREFIX.removesuffix("requests/")
    rules = template["Resources"]["DataBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = {rule["Prefix"]: rule["ExpirationInDays"] for rule in rules if "ExpirationInDays" in rule}
    prefixes = [
        value for name, value in vars(config).items() if name.endswith("_PREFIX") and name != "BATCH_PREFIX"
    ]
    # Overlapping prefixes would let the shorter expiration win: each prefix is its own rule.
    assert not [a for a in expiring for b in expiring if a != b and b.startswith(a)]
    assert sorted(expiring) == sorted(
        [*prefixes, OUTCOMES_PREFIX, WINDOWS_PREFIX, DECISIONS_PREFIX, summaries, PERFORMANCE_PREFIX]
    )
    kept = {
        config.SCORED_PREFIX,
        config.REPORTS_PREFIX,
        DECISIONS_PREFIX,
        OUTCOMES_PREFIX,
        summaries,
        PERFORMANCE_PREFIX,
    }
    assert {prefix for prefix, days in expiring.items() if days == {"Ref": "DecisionRetentionDays"}} == kept
    shorter = [days for prefix, days in expiring.items() if prefix not in kept]
    assert shorter == [{"Ref": "BatchRetentionDays"}] * len(shorter)


def test_the_bucket_is_private_encrypted_versioned_and_tls_only(template):
    bucket = template["Resources"]["DataBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    (statement,) = template["Resources"]["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_every_environment_variable_the_template_sets_is_read_by_the_code(template):
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [*(REPO / "credit_scoring").rglob("*.py"), *(REPO / "functions").rglob("*.py")]
    )
    names = set()
    for function in cfn_template.functions(template):
        names |= set(cfn_template.function_properties(template, function)["Environment"]["Variables"])
    names.discard("POWERTOOLS_SERVICE_NAME")  # read by the Powertools library itself
    names.discard("OPENBLAS_NUM_THREADS")  # read by numpy's OpenBLAS
    assert sorted(name for name in names if f'"{name}"' not in code) == []


def test_log_groups_are_kept_for_the_audit_period_and_functions_log_into_them(template):
    resources = template["Resources"]
    groups = [name for name, resource in resources.items() if resource["Type"] == "AWS::Logs::LogGroup"]
    for name in groups:
        assert resources[name]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert resources[name]["DeletionPolicy"] == "Retain"
    for function in cfn_template.functions(template):
        log_group = cfn_template.function_properties(template, function)["LoggingConfig"]["LogGroup"]
        assert log_group["Ref"] in groups


# ----------------------------------------------------------------------------- samconfig


def _samconfig() -> dict[str, Any]:
    return tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))


def _overrides(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split())


@pytest.mark.parametrize("environment", ["default", "prod"])
def test_samconfig_environments_pass_the_templates_own_constraints(template, environment):
    deploy = _samconfig()[environment]["deploy"]["parameters"]
    overrides = _overrides(deploy["parameter_overrides"])
    assert {
        name: value for name, value in overrides.items() if not satisfies(template["Parameters"][name], value)
    } == {}
    assert "CAPABILITY_IAM" in deploy["capabilities"].split()
    assert deploy["resolve_s3"] is True
    # The bucket is named <stack>-<account>-<region>: lower case, at most 63 characters.
    bucket = f"{deploy['stack_name']}-123456789012-{deploy['region']}"
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket), bucket


def test_prod_is_a_separate_stack_that_asks_before_changing_and_is_never_open():
    config = _samconfig()
    dev, prod = config["default"]["deploy"]["parameters"], config["prod"]["deploy"]["parameters"]
    assert dev["stack_name"] != prod["stack_name"]
    assert prod["confirm_changeset"] is True
    assert _overrides(prod["parameter_overrides"])["Stage"] == "prod"
    assert _overrides(prod["parameter_overrides"])["ApiAuth"] in ("IAM", "JWT")


# ----------------------------------------------------------------------------- layers' pins


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{path}: {line} is not pinned with =="
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


LAYER_REQUIREMENTS = sorted((REPO / "layers").glob("*/requirements.txt"))


@pytest.mark.parametrize("requirements", LAYER_REQUIREMENTS, ids=lambda path: path.parent.name)
def test_layer_pins_are_the_versions_the_tests_run_with(requirements):
    constraints = _pins(REPO / "constraints.txt")
    pins = _pins(requirements)
    assert {name: version for name, version in pins.items() if constraints.get(name) != version} == {}


def test_no_package_is_shipped_by_two_layers():
    dependencies = _pins(REPO / "layers/dependencies/requirements.txt")
    batch = _pins(REPO / "layers/batch/requirements.txt")
    assert set(dependencies) & set(batch) == set()


# ----------------------------------------------------------------------------- workflows


def _workflow(name: str) -> dict[Any, Any]:
    import yaml

    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _steps(workflow: Mapping[Any, Any]) -> Iterator[dict[str, Any]]:
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def test_workflows_are_valid_github_workflows():
    checker = Path(sys.executable).parent / "check-jsonschema"
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [path.name for path in files] == ["ci.yml", "deploy.yml"]
    completed = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_ci_runs_lint_tests_and_the_packaging_checks_on_pushes_and_pull_requests():
    workflow = _workflow("ci.yml")
    # PyYAML reads the `on:` key as the boolean True.
    assert set(workflow[True]) == {"push", "pull_request"}
    commands = " ".join(step.get("run", "") for step in _steps(workflow))
    for command in (
        "make lint",
        "pytest",
        "make sam-validate",
        "make sam-build",
        "make sizes",
        "make --no-print-directory invoke",
    ):
        assert command in commands


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_every_action_is_pinned_to_a_commit_with_its_version_named(name: str):
    """A tag can be moved to other code after review; a commit cannot."""
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    used = [step["uses"] for step in _steps(_workflow(name)) if "uses" in step]
    assert used
    for action in used:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.search(rf"uses: {re.escape(action)} # v\d+\.\d+\.\d+\n", text), action


def test_deploy_uses_short_lived_oidc_credentials_and_never_a_stored_key():
    workflow = _workflow("deploy.yml")
    text = (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")
    assert "aws-access-key-id" not in text
    assert "aws-secret-access-key" not in text
    assert "secrets.AWS" not in text
    assert workflow["permissions"] == {"contents": "read"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    (credentials,) = [
        step
        for step in deploy["steps"]
        if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert deploy["environment"]["name"] == "${{ needs.target.outputs.environment }}"


def test_deploy_runs_only_after_ci_succeeded_for_the_same_commit():
    workflow = _workflow("deploy.yml")
    triggers = workflow[True]
    assert set(triggers) == {"workflow_run", "workflow_dispatch"}  # never a push of its own
    run = triggers["workflow_run"]
    assert run["workflows"] == [_workflow("ci.yml")["name"]]
    assert run["types"] == ["completed"]
    assert run["branches"] == ["main", "v*"]

    jobs = workflow["jobs"]
    gate = " ".join(jobs["target"]["if"].split())
    assert gate.startswith("github.event_name == 'workflow_dispatch' || (")
    for condition in (
        "github.event.workflow_run.conclusion == 'success'",
        "github.event.workflow_run.event == 'push'",  # never a pull request's code
        "github.event.workflow_run.head_repository.full_name == github.repository",
    ):
        assert condition in gate
    assert all(job.get("needs") == "target" for name, job in jobs.items() if name != "target")

    # What is checked out and deployed is the commit CI passed, not main's latest.
    assert workflow["env"]["COMMIT"] == "${{ github.event.workflow_run.head_sha || github.sha }}"
    checkouts = [
        step
        for job in jobs.values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert [job_checkout["with"]["ref"] for job_checkout in checkouts] == ["${{ env.COMMIT }}"] * len(jobs)

    # On demand, CI's success on the commit is looked up first; a v* run deploys prod only for a tag.
    (pick,) = [step for step in jobs["target"]["steps"] if step.get("id") == "pick"]
    assert 'actions/workflows/ci.yml/runs?head_sha=$COMMIT&status=success"' in pick["run"]
    assert 'git rev-parse --verify --quiet "refs/tags/$RUN_BRANCH^{commit}"' in pick["run"]
    assert (WORKFLOWS / "ci.yml").is_file()


def test_deploy_runs_sam_deploy_unattended_then_smoke_tests_the_stack():
    workflow = _workflow("deploy.yml")
    runs = [step.get("run", "") for step in workflow["jobs"]["deploy"]["steps"]]
    (deploy,) = [run for run in runs if run.startswith("sam deploy")]
    for flag in ("--config-env", "--no-confirm-changeset", "--no-fail-on-empty-changeset"):
        assert flag in deploy
    assert runs.index(deploy) < runs.index('python scripts/smoke_test.py --config-env "$CONFIG_ENV"')


# ----------------------------------------------------------------------------- scripts (no build needed)


def _fake_build(root: Path, code_bytes: int, layer_bytes: int) -> Path:
    """A built template with one function and one layer of the given sizes (random, incompressible)."""
    build = root / "build"
    for directory, size in (("Fn", code_bytes), ("Layer", layer_bytes)):
        (build / directory).mkdir(parents=True)
        (build / directory / "payload.bin").write_bytes(os.urandom(size))
    (build / "template.yaml").write_text(
        "Resources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: Fn, Handler: app.handler, Runtime: python3.12, Layers: [!Ref Layer]}\n"
        "  Layer:\n    Type: AWS::Serverless::LayerVersion\n    Properties: {ContentUri: Layer}\n",
        encoding="utf-8",
    )
    return build


def test_check_sizes_measures_code_and_layers_and_fails_over_a_limit(tmp_path, capsys):
    build = _fake_build(tmp_path, 100_000, 300_000)
    (size,) = check_sizes.measure(build)
    assert [(artefact.name, artefact.unzipped_bytes) for artefact in size.artefacts] == [
        ("Fn", 100_000),
        ("Layer", 300_000),
    ]
    assert size.unzipped_bytes == 400_000
    assert all(artefact.zipped_bytes > 0 for artefact in size.artefacts)
    assert check_sizes.main(["--build-dir", str(build)]) == 0
    assert check_sizes.main(["--build-dir", str(build), "--unzipped-limit-mb", "0.3"]) == 1
    assert "Fn: code and layers unzip to 0.4 MB, over Lambda's 0.3 MB" in capsys.readouterr().err
    assert check_sizes.main(["--build-dir", str(build), "--zip-limit-mb", "0.2"]) == 1
    assert "Layer: zip of 0.3 MB, over the 0.2 MB limit" in capsys.readouterr().err


def test_check_sizes_says_to_build_first(tmp_path, capsys):
    assert check_sizes.main(["--build-dir", str(tmp_path)]) == 2
    assert "run `make sam-build`" in capsys.readouterr().err


def test_layers_merge_as_lambda_extracts_them_later_layers_winning(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for layer, package, text in ((first, "alpha", "1"), (second, "beta", "2")):
        (layer / "python" / package).mkdir(parents=True)
        (layer / "python" / package / "__init__.py").write_text(text)
        (layer / "python" / "shared.py").write_text(f"layer = {text}")
    (first / "model").mkdir()
    (first / "model" / "manifest.json").write_text("{}")
    opt = tmp_path / "opt"
    lambda_invoke.merge_layers([first, second], opt)
    assert (opt / "python" / "alpha" / "__init__.py").read_text() == "1"
    assert (opt / "python" / "beta" / "__init__.py").read_text() == "2"
    assert (opt / "python" / "shared.py").read_text() == "layer = 2"
    assert (opt / "model" / "manifest.json").read_text() == "{}"


def test_extension_modules_built_for_another_interpreter_are_detected(tmp_path):
    import importlib.machinery

    host_suffix = next(suffix for suffix in importlib.machinery.EXTENSION_SUFFIXES if "cpython" in suffix)
    other = (
        ".cpython-39-x86_64-linux-gnu.so" if "-39-" not in host_suffix else ".cpython-312-x86_64-linux-gnu.so"
    )
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / f"native{host_suffix}").write_bytes(b"")
    (tmp_path / "pkg" / "stable.abi3.so").write_bytes(b"")
    (tmp_path / "pkg" / f"foreign{other}").write_bytes(b"")
    assert [path.name for path in lambda_invoke.foreign_extensions(tmp_path)] == [f"foreign{other}"]


def _s3_event(key: str) -> dict[str, Any]:
    return {
        "Records": [
            {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {"object": {"key": key}}}
        ]
    }


@pytest.mark.parametrize(
    ("event", "source", "function"),
    [
        ({"version": "2.0", "requestContext": {"http": {"method": "GET"}}}, "http", "ScoringApiFunction"),
        ({"httpMethod": "GET", "requestContext": {}}, "http", "ScoringApiFunction"),
        (_s3_event("batch/incoming/portfolio+1.csv"), "s3", "BatchScoringFunction"),
        (_s3_event("monitoring/outcomes/2027-04.csv"), "s3", "MonitoringFunction"),
        ({"Records": [{"eventSource": "aws:sqs"}]}, "sqs", "BatchScoringFunction"),
        ({"source": "aws.events", "detail-type": "Scheduled Event"}, "schedule", "MonitoringFunction"),
    ],
)
def test_the_function_is_chosen_by_the_events_it_receives(template, event, source, function):
    assert lambda_invoke.event_source(event) == source
    assert lambda_invoke.choose_function(template, event, None) == function


def _invoke(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "lambda_invoke.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_invoke_reports_bad_usage_clearly(tmp_path):
    not_json = tmp_path / "event.json"
    not_json.write_text("{not json")
    completed = _invoke(str(not_json), "--build-dir", str(tmp_path))
    assert completed.returncode == 2
    assert f"{not_json}: not JSON" in completed.stderr

    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"hello": "world"}')
    completed = _invoke(str(unknown), "--build-dir", str(tmp_path))
    assert completed.returncode == 2
    assert "template.yaml not found: run `make sam-build`" in completed.stderr

    built = tmp_path / "build"
    built.mkdir()
    shutil.copy(REPO / "template.yaml", built / "template.yaml")
    completed = _invoke(str(unknown), "--build-dir", str(built))
    assert completed.returncode == 2
    assert "neither an API Gateway request, an S3 or SQS event nor a scheduled one" in completed.stderr
    completed = _invoke(str(EVENTS[0]), "--build-dir", str(built), "--param", "Colour=blue")
    assert completed.returncode == 2
    assert "unknown parameter(s) Colour" in completed.stderr


# ----------------------------------------------------------------------------- sam (slow)


def _sam() -> Path:
    if not os.access(SAM, os.X_OK):
        pytest.skip(f"AWS SAM CLI is not installed at {SAM}: `make setup` creates it")
    return SAM


def _bundle_for_build(root: Path) -> Path:
    """The default bundle when it exists (what is deployed), else a small real bundle built here."""
    default = REPO / "model_artifacts" / "default"
    if (default / "manifest.json").is_file():
        return default
    from bundle_factory import build_test_bundle

    return build_test_bundle(root / "bundle", n_clients=300)


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id) -> Path:
    """`sam build` of the repository's template, once per test run even across xdist workers."""
    sam = _sam()
    base = tmp_path_factory.getbasetemp()
    root = base.parent if worker_id != "master" else base
    build_dir = root / "sam" / "build"
    with open(root / "sam-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (build_dir / "template.yaml").is_file():
            bundle = _bundle_for_build(root / "sam")
            env = {**os.environ, **SAM_ENV, "PYTHON": sys.executable, "MODEL_BUNDLE": str(bundle)}
            started = time.perf_counter()
            completed = subprocess.run(
                [str(sam), "build", "--build-dir", str(build_dir)],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=900,
            )
            assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
            print(f"sam build took {time.perf_counter() - started:.1f} s")
    return build_dir


@pytest.mark.slow
def test_sam_validate_lint_passes():
    completed = subprocess.run(
        [str(_sam()), "validate", "--lint"],
        cwd=REPO,
        env={**os.environ, **SAM_ENV},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "is a valid SAM Template" in completed.stdout


@pytest.mark.slow
def test_built_functions_fit_lambdas_size_limits(built):
    completed = subprocess.run(
        [sys.executable, str(SCRIPTS / "check_sizes.py"), "--build-dir", str(built)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    totals = re.findall(r"^(\w+)\n(?:  .*\n)*?  total unzipped +([\d.]+) MB", completed.stdout, re.MULTILINE)
    assert sorted(name for name, _ in totals) == [
        "BatchScoringFunction",
        "MonitoringFunction",
        "ScoringApiFunction",
    ]
    print(completed.stdout)


@pytest.mark.slow
def test_function_artefact_is_its_own_code_only(built):
    for function, directory in (
        ("ScoringApiFunction", "scoring"),
        ("BatchScoringFunction", "batch"),
        ("MonitoringFunction", "batch"),
    ):
        own = sorted(path.name for path in (REPO / "functions" / directory).glob("*.py"))
        assert sorted(path.name for path in (built / function).iterdir()) == own


@pytest.mark.slow
def test_a_bundle_is_verified_before_packaging_and_a_changed_file_is_named(built, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(built / "ModelLayer" / "model", bundle)
    command = [sys.executable, str(SCRIPTS / "verify_bundle.py"), str(bundle)]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    assert completed.returncode == 0, completed.stderr
    assert f"model {_manifest(built)['model_version']}" in completed.stdout
    with open(bundle / "store" / "ids.npy", "ab") as stream:
        stream.write(b"\0")
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    assert completed.returncode == 1
    assert "is not servable: store/ids.npy: sha256 does not match the manifest" in completed.stderr


TRAINING_SIDE = ("training", "synth", "data", "cli", "__main__.py")
"""The training side's packages (pyproject.toml's import-linter contracts keep the rest off them)."""


def _imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


@pytest.mark.slow
def test_dependencies_layer_ships_the_serving_side_and_everything_it_imports(built):
    package = built / "DependenciesLayer" / "python" / "credit_scoring"
    assert [part for part in TRAINING_SIDE if (package / part).exists()] == []
    missing = set()
    for module_path in package.rglob("*.py"):
        for module in _imported_modules(module_path):
            if module.split(".")[0] != "credit_scoring":
                continue
            relative = Path(*module.split("."))
            if not (
                (package.parent / relative).with_suffix(".py").is_file()
                or (package.parent / relative / "__init__.py").is_file()
            ):
                missing.add(f"{module_path.relative_to(package.parent)} imports {module}")
    assert sorted(missing) == []


def _runtime_python_found() -> bool:
    """Whether the layers' build finds the runtime's interpreter, asked of layers/python-layer.mk itself
    (the environment `built` ran sam build in)."""
    completed = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",  # under `make -C`, make would print its directory on stdout
            "-f",
            str(REPO / "layers" / "python-layer.mk"),
            "--eval",
            'runtime-python: ; @echo "$(RUNTIME_PYTHON)"',
            "runtime-python",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip() != ""


@pytest.mark.slow
def test_layers_hold_only_bytecode_the_runtime_reads_and_all_of_it_when_it_can(built):
    dependencies = built / "DependenciesLayer" / "python"
    compiled = list(dependencies.rglob("*.pyc"))
    assert [path for path in compiled if not path.name.endswith(".cpython-312.pyc")] == []
    assert list((built / "BatchLayer" / "python").rglob("*.pyc")) == []  # kept within the size goal
    if not _runtime_python_found():  # a build without python3.12 ships sources only
        assert compiled == []
        return
    sources = dependencies.rglob("*.py")
    expected = {path.parent / "__pycache__" / f"{path.stem}.cpython-312.pyc" for path in sources}
    assert sorted(expected - set(compiled)) == []
    # PEP 552 flags: hash-based (bit 0) and not checked against the source (bit 1 clear), so that the
    # mtimes a zip's extraction sets never invalidate it.
    assert {int.from_bytes(path.read_bytes()[4:8], "little") for path in compiled} == {0b01}


def _runtime_provided() -> set[str]:
    return set(_pins(SCRIPTS / "lambda_runtime_requirements.txt"))


@pytest.mark.slow
@pytest.mark.parametrize("function", ["ScoringApiFunction", "BatchScoringFunction"])
def test_every_dependency_of_a_shipped_package_is_shipped_or_provided_by_the_runtime(built, function):
    template = cfn_template.load_template(built / "template.yaml")
    layers = cfn_template.layer_ids(cfn_template.function_properties(template, function))
    paths = [
        str(built / template["Resources"][layer]["Properties"]["ContentUri"] / "python") for layer in layers
    ]
    shipped = {canonicalize_name(dist.metadata["Name"]): dist for dist in metadata.distributions(path=paths)}
    available = set(shipped) | _runtime_provided()
    unmet = []
    for name, dist in shipped.items():
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate(LAMBDA_MARKERS):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency not in available:
                unmet.append(f"{name} needs {requirement}")
            elif dependency in shipped and not requirement.specifier.contains(
                shipped[dependency].version, prereleases=True
            ):
                unmet.append(f"{name} needs {requirement}, the layer has {shipped[dependency].version}")
    assert unmet == []


def _manifest(build: Path) -> dict[str, Any]:
    return json.loads((build / "ModelLayer" / "model" / "manifest.json").read_text(encoding="utf-8"))


def _example_client(build: Path) -> int:
    return _manifest(build)["example_client_ids"][0]


def _stored_ids(build: Path) -> set[int]:
    import numpy as np

    return set(np.load(build / "ModelLayer" / "model" / "store" / "ids.npy").tolist())


def _run_event(
    built: Path, event_path: Path, *args: str, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    completed = _invoke(
        str(event_path),
        "--build-dir",
        str(built),
        "--deps-cache",
        str(REPO / ".aws-sam" / "invoke-deps"),
        "--json",
        *args,
        env=env,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


HTTP_EVENTS = [path for path in EVENTS if path.name.startswith(("http-", "rest-"))]


@pytest.mark.slow
@pytest.mark.parametrize("event_path", HTTP_EVENTS, ids=lambda path: path.stem)
def test_every_http_event_is_answered_by_the_built_function(built, event_path):
    event = json.loads(event_path.read_text(encoding="utf-8"))
    stage = event["requestContext"].get("stage", "$default")
    args = ["--param", f"Stage={stage}"] if stage != "$default" else []
    result = _run_event(built, event_path, *args)
    assert result["error"] is None
    assert result["function"].endswith("ScoringApiFunction")
    response = result["response"]
    body = json.loads(response["body"])
    if "health" in event_path.name:
        assert response["statusCode"] == 200
        assert (body["status"], body["model_version"]) == ("ok", _manifest(built)["model_version"])
    else:
        client = (event.get("pathParameters") or {}).get("client_id") or json.loads(event["body"]).get(
            "SK_ID_CURR"
        )
        stored = int(client) in _stored_ids(built)
        if "post" in event_path.name:
            # An application is scored whether or not its SK_ID_CURR is stored (a new applicant).
            assert response["statusCode"] == 200, body
            assert body["history_joined"] is stored
        else:
            assert response["statusCode"] == (200 if stored else 404), body
    print(lambda_invoke.report_line(result["function"], result))


@pytest.mark.slow
def test_a_stored_client_gets_a_decision_from_the_built_function(built, tmp_path):
    client = _example_client(built)
    event = json.loads((REPO / "events" / "http-v2-get-predict.json").read_text(encoding="utf-8"))
    text = json.dumps(event).replace(event["pathParameters"]["client_id"], str(client))
    event_path = tmp_path / "event.json"
    event_path.write_text(text)
    result = _run_event(built, event_path)
    assert result["response"]["statusCode"] == 200
    decision = json.loads(result["response"]["body"])
    assert decision["client_id"] == client
    assert decision["decision"] in ("accepted", "refused")
    assert decision["prediction"] == int(decision["probability"] >= decision["threshold"])


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    import urllib.request

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto's state is global to the process: start each test from an empty account.
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
    ).close()
    try:
        yield endpoint
    finally:
        server.stop()


def _aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }


def _s3(endpoint: str) -> Any:
    import boto3

    return boto3.client("s3", region_name=REGION, endpoint_url=endpoint, **_credentials())


def _credentials() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.mark.slow
def test_an_uploaded_file_is_scored_by_the_built_batch_function(built, moto_endpoint, tmp_path):
    from credit_scoring.batch.keys import BatchKeys

    event = json.loads((REPO / "events" / "s3-put-batch-incoming.json").read_text(encoding="utf-8"))
    record = event["Records"][0]["s3"]
    bucket, key = record["bucket"]["name"], record["object"]["key"]
    s3 = _s3(moto_endpoint)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    clients = sorted(_stored_ids(built))[:3]
    unknown = max(_stored_ids(built)) + 1
    body = ("SK_ID_CURR\n" + "\n".join(map(str, [*clients, unknown])) + "\n").encode()
    uploaded = s3.put_object(Bucket=bucket, Key=key, Body=body)
    # The notification of this upload: S3 puts the new object's ETag and size in it.
    record["object"].update({"eTag": uploaded["ETag"].strip('"'), "size": len(body)})
    record["object"].pop("versionId", None)
    event_path = tmp_path / "s3.json"
    event_path.write_text(json.dumps(event))
    result = _run_event(built, event_path, env=_aws_env(moto_endpoint))
    assert result["error"] is None, result["error"]
    assert result["function"].endswith("BatchScoringFunction")
    keys = BatchKeys.for_input(key)
    report = json.loads(s3.get_object(Bucket=bucket, Key=keys.report)["Body"].read())
    scored = s3.get_object(Bucket=bucket, Key=keys.scored)["Body"].read().decode().splitlines()
    rejected = s3.get_object(Bucket=bucket, Key=keys.rejected)["Body"].read().decode().splitlines()
    assert (report["input_rows"], report["scored"], report["rejected"]) == (4, 3, 1)
    assert [line.split(",")[0] for line in scored[1:]] == [str(client) for client in clients]
    assert len(rejected) == 2
    assert str(unknown) in rejected[1]
    assert report["model_version"] == _manifest(built)["model_version"]


@pytest.mark.slow
def test_a_queued_request_is_answered_by_the_built_batch_function(built, moto_endpoint, tmp_path):
    from credit_scoring.batch.keys import result_key

    event = json.loads((REPO / "events" / "sqs-receive-message.json").read_text(encoding="utf-8"))
    body = json.loads(event["Records"][0]["body"])
    body["client_id"] = _example_client(built)
    event["Records"][0]["body"] = json.dumps(body)
    event_path = tmp_path / "sqs.json"
    event_path.write_text(json.dumps(event))
    template = cfn_template.load_template(built / "template.yaml")
    bucket = _resolved(template).resolve(template["Resources"]["DataBucket"]["Properties"]["BucketName"])
    s3 = _s3(moto_endpoint)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    result = _run_event(built, event_path, env=_aws_env(moto_endpoint))
    assert result["error"] is None, result["error"]
    assert result["response"] == {"batchItemFailures": []}
    answer = json.loads(s3.get_object(Bucket=bucket, Key=result_key(body["correlation_id"]))["Body"].read())
    assert (answer["status"], answer["correlation_id"]) == (200, body["correlation_id"])
    assert answer["decision"]["client_id"] == body["client_id"]
    assert answer["decision"]["model_version"] == _manifest(built)["model_version"]


# ----------------------------------------------------------------------------- smoke test of a served API


@pytest.fixture(scope="module")
def served_api(tmp_path_factory) -> Iterator[str]:
    """The real app served by `credit-scoring serve` on a loopback port, with a small real bundle."""
    import socket
    import urllib.request

    from bundle_factory import build_test_bundle

    bundle = build_test_bundle(tmp_path_factory.mktemp("served") / "bundle", n_clients=200)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "credit_scoring", "serve", "--bundle", str(bundle), "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("credit-scoring serve did not answer /health within 60 s")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _smoke(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "smoke_test.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.slow
def test_smoke_test_passes_against_the_real_app(served_api):
    completed = _smoke("--url", served_api, "--auth", "NONE")
    assert completed.returncode == 0, completed.stderr
    assert "passed  GET /health: ok" in completed.stdout
    assert "passed  GET /predict/<example client>" in completed.stdout


@pytest.mark.slow
def test_smoke_test_signs_requests_for_an_iam_api(served_api):
    fake = {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "token",
    }
    completed = _smoke("--url", served_api, "--auth", "IAM", env=fake)
    assert completed.returncode == 0, completed.stderr


@pytest.mark.slow
def test_smoke_test_fails_naming_the_check_when_the_api_is_not_the_scoring_api(served_api):
    completed = _smoke("--url", f"{served_api}/nowhere", "--auth", "NONE")
    assert completed.returncode == 1
    assert "FAILED GET /health: status 404, the function is not ready to score" in completed.stderr


def test_smoke_test_needs_a_token_for_a_jwt_api():
    completed = _smoke("--url", "https://example.invalid/dev", "--auth", "JWT", env={"SMOKE_TEST_TOKEN": ""})
    assert completed.returncode == 2
    assert "put a bearer token in SMOKE_TEST_TOKEN" in completed.stderr
