"""The files `jit-access policy` reads: a rules file and a file of test cases, YAML or JSON.

The rules file mirrors the Terraform `rules` and `group_rules` variables key for key
(`rules = yamldecode(file(...)).rules`), and its rules are read into `config.Rule` and `config.GroupRule`,
the models the functions validate their config with, so a file
that passes here passes there. Pure: parses text, never opens a file. Every problem is reported in plain
words that name where it is, e.g. `rules[2] (prod-admin).max_duration: "2 hours" is not a duration such
as 30m, 2h or 1h30m`.
"""

from __future__ import annotations

import difflib
import json
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from jit_access.config import (
    ACCOUNT_ID,
    EMAIL,
    GROUP,
    OU_ID,
    PERMISSION_SET_NAME,
    GroupRule,
    Policy,
    Rule,
    rule_set_problems,
)
from jit_access.core.timeutil import parse_duration
from jit_access.errors import JitAccessError


class PolicyFileError(JitAccessError):
    """A rules or cases file that cannot be used; `problems` holds one line per problem, in plain words."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- the rules file ------------------------------------------------------------------------------------


class Defaults(_Strict):
    max_duration: str = "8h"  # Terraform: default_max_duration

    @field_validator("max_duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class RulesFile(_Strict):
    rules: tuple[Rule, ...] = ()
    group_rules: tuple[GroupRule, ...] = ()
    defaults: Defaults = Defaults()

    @model_validator(mode="after")
    def _some_rule(self) -> RulesFile:
        if not self.rules and not self.group_rules:
            raise ValueError("needs at least 1 rule (in `rules` or `group_rules`)")
        return self

    def policy(self) -> Policy:
        return Policy(
            rules=self.rules, group_rules=self.group_rules, default_max_duration=self.defaults.max_duration
        )


def load_policy(text: str) -> Policy:
    """Text of a rules file → the Policy the functions would decide with, or a PolicyFileError naming every
    problem: each field of each rule, then what only the rules together show (repeated ids)."""
    document = _parse(text)
    try:
        rules_file = RulesFile.model_validate(document)
    except ValidationError as error:
        raise PolicyFileError(describe(error, document, RulesFile)) from error
    problems = rule_set_problems(rules_file.rules) + rule_set_problems(rules_file.group_rules, "group_rules")
    if problems:
        raise PolicyFileError(problems)
    return rules_file.policy()


# --- the cases file ------------------------------------------------------------------------------------

Expectation = Literal["grant", "approval", "refuse"]


def _email(value: str) -> str:
    if not EMAIL.match(value.strip()):
        raise ValueError(f'"{value}" is not an email address')
    return value.strip().lower()


class Click(_Strict):
    approver: str
    counts: bool  # would this person's click count towards approving (or deny) the request?

    @field_validator("approver")
    @classmethod
    def _approver(cls, value: str) -> str:
        return _email(value)


class Case(_Strict):
    name: str = Field(min_length=1)
    requester: str
    account: str | None = None  # with permission_set; or a group
    permission_set: str | None = None
    group: str | None = None  # a group's display name or id, as the group rules name it
    duration: str = "1h"
    reason: str | None = None  # None: a reason long enough for every rule
    ticket: str | None = None
    expect: Expectation
    approvers: tuple[str, ...] | None = None  # with `approval`: exactly this set
    required: int | None = Field(default=None, ge=1, le=10)  # with `approval`: this quorum
    refused_for: Literal["target", "duration", "reason", "ticket"] | None = None  # with `refuse`
    clicks: tuple[Click, ...] = ()

    @field_validator("requester")
    @classmethod
    def _requester(cls, value: str) -> str:
        return _email(value)

    @field_validator("approvers")
    @classmethod
    def _approvers(cls, values: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if values is None else tuple(_email(v) for v in values)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not ACCOUNT_ID.match(value):
            raise ValueError(f'"{value}" is not a 12-digit account id')
        return value

    @field_validator("permission_set")
    @classmethod
    def _permission_set(cls, value: str | None) -> str | None:
        if value is not None and not PERMISSION_SET_NAME.match(value):
            raise ValueError(f'"{value}" is not a permission set name')
        return value

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        if value is not None and not GROUP.match(value):
            raise ValueError(f'"{value}" is not a group display name or id')
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Case:
        if self.group is not None:
            if self.account is not None or self.permission_set is not None:
                raise ValueError(
                    "a case asks for a `group`, or an `account` and a `permission_set`, not both"
                )
        elif self.account is None or self.permission_set is None:
            raise ValueError("a case needs an `account` and a `permission_set`, or a `group`")
        return self

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _expectations_fit(self) -> Case:
        if self.expect != "approval" and (self.approvers is not None or self.required is not None):
            raise ValueError(f"`approvers` and `required` belong to `expect: approval`, not {self.expect}")
        if self.expect != "refuse" and self.refused_for is not None:
            raise ValueError(f"`refused_for` belongs to `expect: refuse`, not {self.expect}")
        return self


class CaseFile(_Strict):
    ou_tree: dict[str, tuple[str, ...]] = {}  # account id → the OU ids it sits in, root side first
    cases: tuple[Case, ...] = Field(min_length=1)

    @field_validator("ou_tree")
    @classmethod
    def _ou_tree(cls, tree: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for account, path in tree.items():
            if not ACCOUNT_ID.match(account):
                raise ValueError(f'"{account}" is not a 12-digit account id')
            for ou in path:
                if not OU_ID.match(ou):
                    raise ValueError(f'"{ou}" (under "{account}") is not an OU id such as ou-ab12-cdef3456')
        return tree

    @model_validator(mode="after")
    def _unique_names(self) -> CaseFile:
        names = [case.name for case in self.cases]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(
                "case names must be unique, so a failure says which case it is; repeated: "
                + ", ".join(json.dumps(n) for n in repeated)
            )
        return self

    def ou_accounts(self) -> dict[str, frozenset[str]]:
        return ou_accounts(self.ou_tree)


def load_cases(text: str) -> CaseFile:
    document = _parse(text)
    try:
        return CaseFile.model_validate(document)
    except ValidationError as error:
        raise PolicyFileError(describe(error, document, CaseFile)) from error


def ou_accounts(tree: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Account → the OUs it sits in, turned round into what the rules read: OU → the accounts under it."""
    under: dict[str, set[str]] = {}
    for account, path in tree.items():
        for ou in path:
            under.setdefault(ou, set()).add(account)
    return {ou: frozenset(accounts) for ou, accounts in under.items()}


# --- reading YAML/JSON ---------------------------------------------------------------------------------


try:  # libyaml's parser when PyYAML has it: five times faster on a thousand rules, same results
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _UniqueKeyLoader(_SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error, not the last one wins:
    a second `approvers:` in a rule must not silently replace the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, typing.Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is given twice in the same mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parse(text: str) -> Any:
    """YAML (JSON is YAML too) → plain data, or a PolicyFileError saying where the syntax breaks."""
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: plain data only
        if document is None:
            raise PolicyFileError(["the file is empty"])
        return document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PolicyFileError([f"{where}not valid YAML or JSON: {error.problem}"]) from error
    except yaml.YAMLError as error:
        raise PolicyFileError([f"not valid YAML or JSON: {error}"]) from error


# --- pydantic errors in plain words --------------------------------------------------------------------

_LABELS = {
    "rules": "id",
    "group_rules": "id",
    "cases": "name",
}  # the key that names an entry of these lists in messages
_NUMBERED = ("account", "accounts", "exclude_accounts", "ou_tree")


def describe(error: ValidationError, document: Any, root: type[BaseModel]) -> list[str]:
    """Every error of a validation, each as `where: what is wrong`, in the order of the file."""
    details = error.errors()
    inner = {tuple(d["loc"][:n]) for d in details for n in range(len(d["loc"]))}
    # A list whose entries all fail is also "too short" to pydantic: say only what is wrong with the entries.
    return [
        _describe_one(detail, document, root)
        for detail in details
        if not (detail["type"] == "too_short" and tuple(detail["loc"]) in inner)
    ]


def _describe_one(detail: ErrorDetails, document: Any, root: type[BaseModel]) -> str:
    loc = tuple(detail["loc"])
    where = _where(loc, document, root)
    what = _what(detail, loc, root)
    return f"{where}: {what}" if where else what


def _where(loc: tuple[int | str, ...], document: Any, root: type[BaseModel]) -> str:
    text = ""
    node = document
    for depth, part in enumerate(loc):
        if part == "[key]":
            text += " (the key)"
            continue
        if isinstance(part, int) or _model_at(root, loc[:depth]) is None:
            text += f"[{part}]" if isinstance(part, int) else f"[{json.dumps(part)}]"
        else:
            text += f".{part}" if text else part
        node = _child(node, part)
        if depth == 1 and isinstance(part, int) and loc[0] in _LABELS and isinstance(node, dict):
            label = node.get(_LABELS[str(loc[0])])
            if isinstance(label, str) and label:
                text += f" ({label})"
    return text


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _model_at(root: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model whose fields the entry at `loc` holds, or None where it is not a model (a list, a dict)."""
    current: type[BaseModel] | None = root
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = next(
            (
                t
                for t in (field.annotation, *typing.get_args(field.annotation))
                if isinstance(t, type) and issubclass(t, BaseModel)
            ),
            None,
        )
        if current is not None and typing.get_origin(field.annotation) is dict:
            current = None
    return current


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "nothing (null)"
    return json.dumps(value, ensure_ascii=False, default=str)


def _what(detail: ErrorDetails, loc: tuple[int | str, ...], root: type[BaseModel]) -> str:
    kind, value, ctx = detail["type"], detail.get("input"), detail.get("ctx") or {}
    names = [p for p in loc if isinstance(p, str)]
    field = names[-1] if names else ""
    if kind == "extra_forbidden":
        known = sorted((_model_at(root, loc[:-1]) or root).model_fields)
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f'did you mean "{close[0]}"?' if close else "the fields here are " + ", ".join(known)
        return f"unknown field; {hint}"
    if kind == "missing":
        return "missing; it is required"
    if kind in ("string_type", "string_sub_type"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            why = ", or a leading zero is lost" if any(n in _NUMBERED for n in names) else ""
            return f'{_show(value)} is a number: write it in quotes ("{value}"){why}'
        return f"{_show(value)} should be text"
    if kind in ("tuple_type", "list_type"):
        example = f"[{_show(value)}]" if isinstance(value, str | int) else '["..."]'
        return f"{_show(value)} should be a list, e.g. {example}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{_show(value)} is not a whole number"
    if kind in ("bool_type", "bool_parsing"):
        return f"{_show(value)} is not true or false"
    if kind == "greater_than_equal":
        return f"{_show(value)} is too small: the least is {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{_show(value)} is too large: the most is {ctx.get('le')}"
    if kind == "too_short":
        what = "rule" if field == "rules" else "entry"
        return f"needs at least {ctx.get('min_length')} {what}{'' if ctx.get('min_length') == 1 else 's'}"
    if kind == "literal_error":
        return f"{_show(value)} is not one of {ctx.get('expected')}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = ", ".join(sorted((_model_at(root, loc) or root).model_fields)) if kind != "dict_type" else ""
        return "should be a mapping of keys to values" + (f" ({keys})" if keys else "")
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", detail["msg"]))
    return detail["msg"]
