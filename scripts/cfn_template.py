"""Read a SAM/CloudFormation template and evaluate the intrinsic functions a local run needs.

`scripts/lambda_invoke.py` runs a built function the way Lambda would, so it needs the function's
properties with SAM's Globals merged in and its environment variables with `!Ref`, `!Sub`, `!If`…
resolved against the parameters' defaults and local stand-ins for the stack's pseudo parameters and
resources. `scripts/check_sizes.py` needs the functions and their layers. Both read templates here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateError(Exception):
    """The template cannot be read, or uses something this local evaluation does not handle."""


class _TemplateLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation's short forms (!Ref, !Sub, !GetAtt…) into long forms."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):  # the two short forms without an Fn:: prefix in the long form
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    """Parse a template file (short or long intrinsic forms); raises TemplateError naming the file."""
    try:
        document = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_TemplateLoader)
    except OSError as error:
        raise TemplateError(f"{path}: cannot be read ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        raise TemplateError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources mapping)")
    return document


def function_properties(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's properties with `Globals.Function` merged in the way SAM merges them.

    Maps (Environment.Variables) merge key by key with the function's own values winning, lists
    (Layers) are the global items followed by the function's, and scalars are overridden.
    """
    resource = template["Resources"].get(logical_id)
    if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Serverless::Function":
        raise TemplateError(f"{logical_id} is not an AWS::Serverless::Function of the template")
    global_properties = template.get("Globals", {}).get("Function", {})
    return _merge(global_properties, resource.get("Properties", {}))


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return [*base, *override]
    return override


def functions(template: Mapping[str, Any]) -> list[str]:
    """Logical ids of the template's serverless functions, in template order."""
    return [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
    ]


def layer_ids(properties: Mapping[str, Any]) -> list[str]:
    """Logical ids of the layers of a function (only layers defined in the same template)."""
    ids = []
    for layer in properties.get("Layers", []):
        if not (isinstance(layer, Mapping) and isinstance(layer.get("Ref"), str)):
            raise TemplateError(f"layer {layer!r} is not a !Ref to a layer of this template")
        ids.append(layer["Ref"])
    return ids


@dataclass(frozen=True)
class LocalStack:
    """Stand-ins for what only a deployed stack knows: its name, account, region and overrides."""

    name: str = "credit-scoring"
    account_id: str = "123456789012"
    region: str = "eu-west-3"
    parameters: Mapping[str, str] = field(default_factory=dict)


class Resolver:
    """Evaluates intrinsic functions over a template's parameter defaults and a `LocalStack`.

    A resource's `Ref` is what CloudFormation would return for it: a bucket's name (its BucketName
    when given), a queue's URL, any other resource's logical id prefixed with the stack name.
    """

    def __init__(self, template: Mapping[str, Any], stack: LocalStack) -> None:
        self._template = template
        self._stack = stack
        self._parameters = self._parameter_values(template, stack)

    @staticmethod
    def _parameter_values(template: Mapping[str, Any], stack: LocalStack) -> dict[str, str]:
        declared = template.get("Parameters", {})
        unknown = sorted(set(stack.parameters) - set(declared))
        if unknown:
            raise TemplateError(f"unknown parameter(s) {', '.join(unknown)}; declared: {', '.join(declared)}")
        values = {}
        for name, spec in declared.items():
            if name in stack.parameters:
                values[name] = stack.parameters[name]
            elif "Default" in spec:
                values[name] = str(spec["Default"])
            else:
                raise TemplateError(f"parameter {name} has no default: give it a value")
        return values

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function evaluated (AWS::NoValue drops the entry)."""
        if isinstance(value, list):
            return [item for item in map(self.resolve, value) if item is not _NO_VALUE]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def _function(self, name: str, argument: Any) -> Any:
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::If":
            condition, if_true, if_false = argument
            return self.resolve(if_true if self.condition(condition) else if_false)
        if name == "Fn::GetAtt":
            return self._get_att(*argument)
        if name == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in self.resolve(items))
        if name == "Fn::Select":
            index, items = argument
            return self.resolve(items)[int(self.resolve(index))]
        if name == "Fn::Split":
            separator, text = argument
            return str(self.resolve(text)).split(separator)
        raise TemplateError(f"{name} is not evaluated locally")

    def condition(self, name: str) -> bool:
        """The value of one of the template's Conditions."""
        conditions = self._template.get("Conditions", {})
        if name not in conditions:
            raise TemplateError(f"condition {name} is not declared in the template")
        return self._truth(conditions[name])

    def _truth(self, expression: Any) -> bool:
        ((name, argument),) = expression.items()
        if name == "Condition":
            return self.condition(argument)
        if name == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return str(left) == str(right)
        if name == "Fn::Not":
            return not self._truth(argument[0])
        if name == "Fn::And":
            return all(self._truth(item) for item in argument)
        if name == "Fn::Or":
            return any(self._truth(item) for item in argument)
        raise TemplateError(f"{name} is not evaluated locally in a condition")

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        local = {name: self.resolve(value) for name, value in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in local:
                return str(local[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._get_att(*name.split(".", 1)))
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(substitute, text)

    def _pseudo(self, name: str) -> Any:
        stack = self._stack
        pseudo = {
            "AWS::StackName": stack.name,
            "AWS::AccountId": stack.account_id,
            "AWS::Region": stack.region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:aws:cloudformation:{stack.region}:{stack.account_id}:stack/{stack.name}/x",
            "AWS::NoValue": _NO_VALUE,
        }
        if name not in pseudo:
            raise TemplateError(f"pseudo parameter {name} is not known locally")
        return pseudo[name]

    def _ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self._pseudo(name)
        if name in self._parameters:
            return self._parameters[name]
        resource = self._resource(name)
        if resource["Type"] == "AWS::S3::Bucket":
            bucket_name = resource.get("Properties", {}).get("BucketName")
            return self.resolve(bucket_name) if bucket_name else self._physical_name(name).lower()
        if resource["Type"] == "AWS::SQS::Queue":
            return f"https://sqs.{self._stack.region}.amazonaws.com/{self._stack.account_id}/{self._queue_name(name)}"
        return self._physical_name(name)

    def _get_att(self, name: str, attribute: str) -> Any:
        resource = self._resource(name)
        kind = resource["Type"]
        if kind == "AWS::SQS::Queue" and attribute == "QueueName":
            return self._queue_name(name)
        if kind == "AWS::SQS::Queue" and attribute == "Arn":
            return f"arn:aws:sqs:{self._stack.region}:{self._stack.account_id}:{self._queue_name(name)}"
        if kind == "AWS::S3::Bucket" and attribute == "Arn":
            return f"arn:aws:s3:::{self._ref(name)}"
        raise TemplateError(f"!GetAtt {name}.{attribute} is not evaluated locally")

    def _resource(self, name: str) -> Mapping[str, Any]:
        resource = self._template["Resources"].get(name)
        if resource is None:
            raise TemplateError(f"!Ref {name}: no such parameter or resource in the template")
        return resource

    def _physical_name(self, logical_id: str) -> str:
        return f"{self._stack.name}-{logical_id}"

    def _queue_name(self, logical_id: str) -> str:
        declared = self._resource(logical_id).get("Properties", {}).get("QueueName")
        return self.resolve(declared) if declared else self._physical_name(logical_id)


class _NoValue:
    """AWS::NoValue: the property or list item it stands for is left out."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()
