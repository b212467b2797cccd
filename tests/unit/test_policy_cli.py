"""`jit-access policy check / explain / test`, run as a user runs them: files on disk, output, exit status."""

import json
import re
from pathlib import Path

import pytest
import yaml

from jit_access.cli import main
from jit_access.config import GroupRule, Rule

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "policy"

RULES = """
rules:
  - id: prod-admin
    accounts: ["111111111111"]
    permission_sets: [AdministratorAccess]
    approvers: [bob@example.com, carol@example.com]
    required_approvals: 2
    allow_self_approval: false
    max_duration: 2h
  - id: team-self
    accounts: ["333333333333"]
    permission_sets: ["*"]
    approvers: [alice@example.com, bob@example.com]
    allow_self_approval: true
  - id: read-only
    accounts: ["*"]
    permission_sets: [ReadOnlyAccess]
    approval_not_required: true
  - id: sandbox
    accounts: [ou-ab12-sandbox1]
    exclude_accounts: ["666666666666"]
    permission_sets: [PowerUserAccess]
    approvers: [bob@example.com]
defaults:
  max_duration: 4h
"""


@pytest.fixture
def rules_file(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    return path


def write(tmp_path, text, name="file.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def check(capsys, tmp_path, text):
    return run(capsys, "policy", "check", write(tmp_path, text))


# --- check ---------------------------------------------------------------------------------------------


def test_check_a_valid_file_says_how_many_rules(capsys, rules_file):
    status, out, _ = run(capsys, "policy", "check", rules_file)
    assert status == 0
    assert out == f"{rules_file}: 4 rules OK\n"


def test_check_reads_json_too(capsys, tmp_path):
    document = {"rules": [{"accounts": ["111111111111"], "permission_sets": ["*"], "approvers": ["b@x.io"]}]}
    status, out, _ = run(capsys, "policy", "check", write(tmp_path, json.dumps(document), "rules.json"))
    assert (status, out.endswith(": 1 rule OK\n")) == (0, True)


def test_check_names_the_rule_and_the_field_of_every_problem(capsys, tmp_path):
    status, out, _ = check(
        capsys,
        tmp_path,
        """
rules:
  - {accounts: ["111111111111"], permission_sets: [A], approvers: [bob@example.com]}
  - {id: logs, accounts: ["222222222222"], permission_sets: [A], approvers: [bob], required_approvals: 0}
  - id: prod-admin
    accounts: ["111111111111"]
    permission_sets: [AdministratorAccess]
    approvers: [bob@example.com]
    max_duration: "2 hours"
    allow_self_approval: maybe
""",
    )
    lines = [line.split(": ", 1)[1] for line in out.splitlines()[:-1]]
    assert status == 1
    assert lines == [
        "rules[1] (logs).approvers: approver 'bob' is not an email address",
        "rules[1] (logs).required_approvals: 0 is too small: the least is 1",
        'rules[2] (prod-admin).allow_self_approval: "maybe" is not true or false',
        'rules[2] (prod-admin).max_duration: "2 hours" is not a duration such as 30m, 2h or 1h30m',
    ]
    assert out.splitlines()[-1] == f"4 problems in {tmp_path / 'file.yaml'}"


def test_check_refuses_an_unknown_field_by_name_and_suggests_the_right_one(capsys, tmp_path):
    status, out, _ = check(
        capsys,
        tmp_path,
        """
rules:
  - id: prod
    accounts: ["111111111111"]
    permission_sets: [AdministratorAccess]
    approver: [bob@example.com]
    approvers: [bob@example.com]
defaults: {max_duraton: 2h}
""",
    )
    assert status == 1
    assert 'rules[0] (prod).approver: unknown field; did you mean "approvers"?' in out
    assert 'defaults.max_duraton: unknown field; did you mean "max_duration"?' in out


def test_check_reads_group_rules_and_names_their_problems(capsys, tmp_path):
    status, out, _ = check(
        capsys,
        tmp_path,
        """
rules:
  - {id: a, accounts: ["*"], permission_sets: ["*"], approvers: [bob@example.com]}
group_rules:
  - {id: oncall, groups: [Oncall], approvers: [bob@example.com], max_duration: 4h}
""",
    )
    assert (status, out.endswith(": 1 rule and 1 group rule OK\n")) == (0, True)
    status, out, _ = check(
        capsys,
        tmp_path,
        """
group_rules:
  - {id: oncall, groups: [Oncall], approvers: [bob], max_duration: 4 hours}
  - {groups: [], approval_not_required: true, accounts: ["*"]}
""",
    )
    assert status == 1
    assert "group_rules[0] (oncall).approvers: approver 'bob' is not an email address" in out
    assert 'group_rules[0] (oncall).max_duration: "4 hours" is not a duration' in out
    assert "group_rules[1].groups: needs at least 1 entry" in out
    assert "group_rules[1].accounts: unknown field; the fields here are" in out


def test_check_makes_the_cross_rule_checks_the_functions_make(capsys, tmp_path):
    status, out, _ = check(
        capsys,
        tmp_path,
        """
rules:
  - {id: a, accounts: ["111111111111"], permission_sets: [X], approvers: [bob@example.com]}
  - {id: a, accounts: ["222222222222"], permission_sets: [X], approvers: [bob@example.com]}
  - {accounts: ["333333333333"], permission_sets: [X], approvers: [bob@example.com]}
  - {accounts: ["333333333333"], permission_sets: [X], approvers: [carol@example.com]}
""",
    )
    assert status == 1
    assert "rules[0] and rules[1] have the same id 'a'" in out
    assert "rules[2] and rules[3] have no id and the same accounts" in out


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (
            "{id: q, accounts: ['1'], permission_sets: [X], approvers: [bob@example.com]}",
            "rules[0] (q).accounts: '1' is not a 12-digit account id, an OU id or '*'",
        ),
        (
            "{id: q, accounts: [111111111111], permission_sets: [X], approvers: [bob@example.com]}",
            'rules[0] (q).accounts[0]: 111111111111 is a number: write it in quotes ("111111111111"), '
            "or a leading zero is lost",
        ),
        (
            "{id: q, accounts: '111111111111', permission_sets: [X], approvers: [bob@example.com]}",
            'rules[0] (q).accounts: "111111111111" should be a list, e.g. ["111111111111"]',
        ),
        (
            "{id: q, permission_sets: [X], approvers: [bob@example.com]}",
            "rules[0] (q).accounts: missing; it is required",
        ),
        (
            "{id: q, accounts: ['*'], permission_sets: [X], approvers: [b@x.io], required_approvals: 2}",
            "rules[0] (q): needs 2 approval(s) but names 1 approver(s)",
        ),
        (
            "{id: q, accounts: ['*'], permission_sets: [X]}",
            "rules[0] (q): needs 1 approval(s) but names 0 approver(s)",
        ),
        (
            "{id: q, accounts: ['*'], permission_sets: [X], approvers: [b@x.io], ticket_pattern: '(OPS'}",
            "rules[0] (q).ticket_pattern: '(OPS' is not a regular expression",
        ),
        ("just text", "rules[0]: should be a mapping of keys to values (accounts, allow_self_approval"),
    ],
)
def test_check_words_each_kind_of_problem(capsys, tmp_path, rule, words):
    status, out, _ = check(capsys, tmp_path, f"rules:\n  - {rule}\n")
    assert status == 1
    assert words in out


def test_check_says_where_the_yaml_breaks(capsys, tmp_path):
    status, out, _ = check(capsys, tmp_path, "rules:\n  - id: [unclosed\n")
    assert status == 1
    assert re.search(r"line \d+, column \d+: not valid YAML or JSON", out)


def test_check_refuses_a_key_given_twice_instead_of_keeping_the_last(capsys, tmp_path):
    status, out, _ = check(
        capsys,
        tmp_path,
        "rules:\n  - id: a\n    accounts: ['*']\n    permission_sets: ['*']\n"
        "    approvers: [bob@example.com]\n    approvers: [carol@example.com]\n",
    )
    assert status == 1
    assert "'approvers' is given twice" in out


@pytest.mark.parametrize(
    ("text", "words"), [("", "the file is empty"), ("rules: []", "needs at least 1 rule")]
)
def test_check_refuses_a_file_without_rules(capsys, tmp_path, text, words):
    status, out, _ = check(capsys, tmp_path, text)
    assert status == 1 and words in out


def test_check_of_a_missing_file_cannot_run(capsys, tmp_path):
    status, _, err = run(capsys, "policy", "check", tmp_path / "nope.yaml")
    assert status == 2 and "cannot read it" in err


# --- explain -------------------------------------------------------------------------------------------


def explain(capsys, rules_file, *extra):
    return run(capsys, "policy", "explain", rules_file, "--requester", "alice@example.com", *extra)


PROD_ADMIN = ("--account", "111111111111", "--permission-set", "AdministratorAccess")


def test_explain_a_request_that_waits_for_approvers(capsys, rules_file):
    status, out, _ = explain(capsys, rules_file, *PROD_ADMIN)
    assert status == 0
    assert "Decision: needs 2 approvals: from bob@example.com, carol@example.com" in out
    assert "Rests on: prod-admin" in out
    assert "At most:  2h" in out
    assert "prod-admin: accounts 111111111111; permission sets AdministratorAccess;" in out


def test_explain_as_json_is_machine_readable(capsys, rules_file):
    status, out, _ = explain(capsys, rules_file, *PROD_ADMIN, "--format", "json", "--duration", "90m")
    answer = json.loads(out)
    assert status == 0
    assert answer["result"] == "approval" and answer["outcome"] == "needs_approval"
    assert answer["approvers"] == ["bob@example.com", "carol@example.com"]
    assert answer["required_approvals"] == 2
    assert answer["rule_ids"] == answer["matching_rule_ids"] == ["prod-admin"]
    assert answer["max_duration"] == "2h"
    assert answer["request"]["duration"] == "1h30m"
    assert answer["click"] is None


@pytest.mark.parametrize(
    ("approver", "counts", "why"),
    [
        ("Bob@Example.com", True, "approver under the current rules"),
        ("alice@example.com", False, "you cannot approve your own request"),
        ("mallory@example.com", False, "you are not an approver"),
    ],
)
def test_explain_says_whether_a_click_would_count(capsys, rules_file, approver, counts, why):
    _, out, _ = explain(capsys, rules_file, *PROD_ADMIN, "--approver", approver)
    verdict = "would count" if counts else "would not count"
    assert f"Click by {approver.lower()}: {verdict} ({why}" in out
    _, out, _ = explain(capsys, rules_file, *PROD_ADMIN, "--approver", approver, "--format", "json")
    assert json.loads(out)["click"]["counts"] is counts


def test_explain_a_self_approval(capsys, rules_file):
    args = ("--account", "333333333333", "--permission-set", "PowerUserAccess")
    _, out, _ = explain(capsys, rules_file, *args)
    assert (
        "Decision: granted at once: the requester is an approver of a rule that allows self-approval" in out
    )
    assert "Rests on: team-self" in out
    _, out, _ = explain(capsys, rules_file, *args, "--format", "json")
    assert (json.loads(out)["result"], json.loads(out)["outcome"]) == ("grant", "self_approved")


def test_explain_an_auto_approval(capsys, rules_file):
    args = ("--account", "222222222222", "--permission-set", "ReadOnlyAccess")
    _, out, _ = explain(capsys, rules_file, *args)
    assert "Decision: granted at once: no approval required" in out
    _, out, _ = explain(capsys, rules_file, *args, "--format", "json")
    assert (json.loads(out)["outcome"], json.loads(out)["rule_ids"]) == ("auto_approved", ["read-only"])


def test_explain_a_refusal_with_its_reason(capsys, rules_file):
    status, out, _ = explain(capsys, rules_file, *PROD_ADMIN, "--duration", "3h")
    assert status == 0
    assert "Decision: refused: 3h is longer than the 2h the rules allow" in out
    _, out, _ = explain(capsys, rules_file, *PROD_ADMIN, "--duration", "3h", "--format", "json")
    answer = json.loads(out)
    assert (answer["result"], answer["refused_for"]) == ("refuse", "duration")


def test_explain_matches_ou_rules_through_the_ou_path(capsys, rules_file):
    args = ("--account", "777777777777", "--permission-set", "PowerUserAccess")
    _, out, _ = explain(capsys, rules_file, *args)
    assert "Decision: refused: no rule lets anyone request PowerUserAccess" in out
    assert "match only when --ou-path says the account is in it" in out
    _, out, _ = explain(capsys, rules_file, *args, "--ou-path", "ou-ab12-root0001/ou-ab12-sandbox1")
    assert "on account 777777777777 (in ou-ab12-root0001/ou-ab12-sandbox1)" in out
    assert "Decision: needs 1 approval: from bob@example.com" in out
    excluded = (
        "--account",
        "666666666666",
        "--permission-set",
        "PowerUserAccess",
        "--ou-path",
        "ou-ab12-sandbox1",
    )
    _, out, _ = explain(capsys, rules_file, *excluded, "--format", "json")
    assert json.loads(out)["refused_for"] == "target"


def test_explain_refuses_arguments_it_cannot_use(capsys, rules_file):
    status, _, err = run(
        capsys,
        "policy",
        "explain",
        rules_file,
        "--requester",
        "alice",
        "--account",
        "1111",
        "--permission-set",
        "X",
        "--ou-path",
        "r-ab12",
        "--duration",
        "2 hours",
    )
    assert status == 2
    assert "--requester 'alice' is not an email address" in err
    assert "--account '1111' is not a 12-digit account id" in err
    assert "--ou-path: 'r-ab12' is not an OU id" in err
    assert '--duration: "2 hours" is not a duration' in err


def test_explain_with_an_invalid_rules_file_cannot_run(capsys, tmp_path):
    status, _, err = explain(capsys, write(tmp_path, "rules: [{}]"), *PROD_ADMIN)
    assert status == 2
    assert "rules[0].accounts: missing" in err and "jit-access policy check" in err


# --- test ----------------------------------------------------------------------------------------------


def test_the_example_cases_of_the_documented_semantics_pass(capsys):
    status, out, _ = run(capsys, "policy", "test", EXAMPLES / "rules.yaml", EXAMPLES / "cases.yaml")
    lines = out.splitlines()
    cases = yaml.safe_load((EXAMPLES / "cases.yaml").read_text())["cases"]
    assert status == 0, out
    assert lines[:-1] == [f"PASS {case['name']}" for case in cases]
    assert lines[-1] == f"{len(cases)} passed, 0 failed"


CASE = """
- name: {name}
  requester: alice@example.com
  account: "111111111111"
  permission_set: AdministratorAccess
"""


def cases_file(tmp_path, *cases, ou_tree=""):
    return write(tmp_path, f"{ou_tree}cases:\n" + "".join(cases), "cases.yaml")


def case(name, **fields):
    text = CASE.format(name=name)
    return text + "".join(f"  {key}: {json.dumps(value)}\n" for key, value in fields.items())


def test_a_failing_case_says_what_was_expected_and_what_happened(capsys, tmp_path, rules_file):
    cases = cases_file(
        tmp_path,
        case("waits for two", expect="approval", required=2),
        case("too long", expect="approval", duration="3h"),
        case("wrong people", expect="approval", approvers=["bob@example.com"], required=1),
        case("bob counts", expect="approval", clicks=[{"approver": "bob@example.com", "counts": False}]),
    )
    status, out, _ = run(capsys, "policy", "test", rules_file, cases)
    assert status == 1
    assert out.splitlines() == [
        "PASS waits for two",
        "FAIL too long: expected approval, got refuse (3h is longer than the 2h the rules allow)",
        "FAIL wrong people: expected approvers bob@example.com, got bob@example.com, carol@example.com; "
        "expected 1 required approval(s), got 2",
        "FAIL bob counts: expected bob@example.com's click not to count, it would "
        "(approver under the current rules)",
        "1 passed, 3 failed",
    ]


def test_a_case_checks_why_a_request_is_refused(capsys, tmp_path, rules_file):
    cases = cases_file(tmp_path, case("too long", expect="refuse", duration="3h", refused_for="reason"))
    status, out, _ = run(capsys, "policy", "test", rules_file, cases)
    assert status == 1
    assert "FAIL too long: expected a refusal for the reason, got one for the duration" in out


def test_cases_place_accounts_in_ous_with_an_ou_tree(capsys, tmp_path, rules_file):
    text = (
        CASE.format(name="sandbox")
        .replace("111111111111", "777777777777")
        .replace("AdministratorAccess", "PowerUserAccess")
    )
    tree = 'ou_tree:\n  "777777777777": [ou-ab12-root0001, ou-ab12-sandbox1]\n'
    cases = cases_file(tmp_path, text + "  expect: approval\n  approvers: [bob@example.com]\n", ou_tree=tree)
    status, out, _ = run(capsys, "policy", "test", rules_file, cases)
    assert (status, out.splitlines()[0]) == (0, "PASS sandbox")


@pytest.mark.parametrize(
    ("cases", "words"),
    [
        (
            case("x", expect="approve"),
            "cases[0] (x).expect: \"approve\" is not one of 'grant', 'approval' or 'refuse'",
        ),
        (
            case("x", expect="grant", approvers=["b@x.io"]),
            "cases[0] (x): `approvers` and `required` belong to",
        ),
        (
            case("x", expect="grant", duraton="1h"),
            'cases[0] (x).duraton: unknown field; did you mean "duration"?',
        ),
        (case("x"), "cases[0] (x).expect: missing; it is required"),
        (
            case("x", expect="grant") + case("x", expect="grant"),
            "case names must be unique, so a failure says",
        ),
        (
            case("x", expect="grant", clicks=[{"approver": "bob", "counts": True}]),
            'cases[0] (x).clicks[0].approver: "bob" is not an email address',
        ),
    ],
)
def test_a_malformed_cases_file_is_an_error_not_a_failure(capsys, tmp_path, rules_file, cases, words):
    status, out, err = run(capsys, "policy", "test", rules_file, cases_file(tmp_path, cases))
    assert status == 2
    assert out == ""
    assert words in err


def test_a_malformed_ou_tree_names_the_account(capsys, tmp_path, rules_file):
    tree = 'ou_tree:\n  "777777777777": [ou-sandbox]\n'
    status, _, err = run(
        capsys, "policy", "test", rules_file, cases_file(tmp_path, case("x", expect="grant"), ou_tree=tree)
    )
    assert status == 2
    assert 'ou_tree: "ou-sandbox" (under "777777777777") is not an OU id' in err


# --- the file format and the Terraform variable ---------------------------------------------------------


def test_the_terraform_rules_variable_has_exactly_the_keys_of_a_rule_in_the_file():
    variables = (ROOT / "variables.tf").read_text()
    block = re.search(r'variable "rules" \{.*?type = list\(object\(\{(.*?)\}\)\)', variables, re.S)
    assert block is not None
    keys = set(re.findall(r"^\s*(\w+)\s*=", block[1], re.M))
    assert keys == set(Rule.model_fields)


def readme_yaml_blocks():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Writing rules", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def readme_rule_examples():
    return [block for block in readme_yaml_blocks() if block.startswith("rules:")]


def test_the_readme_examples_of_rules_are_valid(capsys, tmp_path):
    examples = readme_rule_examples()
    assert len(examples) >= 4
    for number, example in enumerate(examples):
        status, out, _ = run(capsys, "policy", "check", write(tmp_path, example, f"example{number}.yaml"))
        assert status == 0, out


def test_the_readme_cases_pass_against_the_four_readme_examples_together(capsys, tmp_path):
    *_, team, production, read_only, sandbox = readme_rule_examples()
    rules = [yaml.safe_load(block)["rules"][0] for block in (team, production, read_only, sandbox)]
    (cases,) = [block for block in readme_yaml_blocks() if "cases:" in block]
    rules_file = write(tmp_path, json.dumps({"rules": rules}), "rules.json")
    status, out, _ = run(capsys, "policy", "test", rules_file, write(tmp_path, cases, "cases.yaml"))
    assert status == 0, out
    assert out.splitlines()[-1] == "2 passed, 0 failed"


# --- group rules ---------------------------------------------------------------------------------------

GROUP_RULES = """
rules:
  - {id: anything, accounts: ["*"], permission_sets: ["*"], approvers: [zed@example.com]}
group_rules:
  - id: oncall
    groups: [Oncall, a1b2c3d4-0000-1111-2222-333344445555]
    approvers: [lead@example.com, bob@example.com]
    max_duration: 4h
  - id: oncall-two
    groups: [Oncall]
    approvers: [lead@example.com, carol@example.com]
    required_approvals: 2
    allow_self_approval: false
  - id: team
    groups: [Team]
    approvers: [alice@example.com]
    allow_self_approval: true
"""


def test_explain_a_group_request(capsys, tmp_path):
    rules = write(tmp_path, GROUP_RULES, "rules.yaml")
    status, out, _ = run(
        capsys,
        "policy",
        "explain",
        rules,
        "--requester",
        "alice@example.com",
        "--group",
        "Oncall",
        "--approver",
        "zed@example.com",
    )
    assert status == 0
    assert "asks for membership of group Oncall for 1h" in out
    assert "needs 2 approvals from any of bob@example.com, carol@example.com, lead@example.com" in out
    assert "Rests on: oncall, oncall-two" in out and "oncall: groups Oncall, a1b2c3d4" in out
    assert "Click by zed@example.com: would not count (you are not an approver for this group)" in out

    _, out, _ = run(
        capsys,
        "policy",
        "explain",
        rules,
        "--requester",
        "alice@example.com",
        "--group",
        "Team",
        "--format",
        "json",
    )
    answer = json.loads(out)
    assert answer["result"] == "grant" and answer["request"]["group"] == "Team"
    assert answer["request"]["account"] is None


def test_explain_needs_a_group_or_an_account_and_a_permission_set(capsys, rules_file):
    status, _, err = run(capsys, "policy", "explain", rules_file, "--requester", "alice@example.com")
    assert status == 2 and "give --account and --permission-set, or --group" in err
    status, _, err = run(
        capsys,
        "policy",
        "explain",
        rules_file,
        "--requester",
        "a@example.com",
        "--group",
        "G",
        "--account",
        "111111111111",
    )
    assert status == 2 and "not both" in err


def test_cases_with_a_group(capsys, tmp_path):
    rules = write(tmp_path, GROUP_RULES, "rules.yaml")
    cases = write(
        tmp_path,
        """
cases:
  - name: oncall needs two
    requester: alice@example.com
    group: Oncall
    expect: approval
    approvers: [bob@example.com, carol@example.com, lead@example.com]
    required: 2
    clicks:
      - {approver: zed@example.com, counts: false}
      - {approver: carol@example.com, counts: true}
  - name: by id only the first rule
    requester: alice@example.com
    group: a1b2c3d4-0000-1111-2222-333344445555
    duration: 5h
    expect: refuse
    refused_for: duration
  - name: the team approves itself
    requester: alice@example.com
    group: Team
    expect: grant
  - name: an unknown group is refused
    requester: alice@example.com
    group: Payroll
    expect: refuse
    refused_for: target
  - name: wrong on purpose
    requester: alice@example.com
    group: Oncall
    expect: grant
""",
        "cases.yaml",
    )
    status, out, _ = run(capsys, "policy", "test", rules, cases)
    assert status == 1
    assert out.splitlines()[:4] == [
        "PASS oncall needs two",
        "PASS by id only the first rule",
        "PASS the team approves itself",
        "PASS an unknown group is refused",
    ]
    assert out.splitlines()[4].startswith("FAIL wrong on purpose: expected grant, got approval")
    assert out.splitlines()[-1] == "4 passed, 1 failed"


def test_a_case_names_a_group_or_an_account_and_a_permission_set(capsys, tmp_path):
    rules = write(tmp_path, GROUP_RULES, "rules.yaml")
    cases = write(
        tmp_path,
        """
cases:
  - name: both
    requester: a@example.com
    group: Oncall
    account: "111111111111"
    permission_set: X
    expect: grant
  - {name: neither, requester: a@example.com, expect: grant}
""",
        "cases.yaml",
    )
    status, _, err = run(capsys, "policy", "test", rules, cases)
    assert status == 2
    assert (
        "cases[0] (both): a case asks for a `group`, or an `account` and a `permission_set`, not both" in err
    )
    assert "cases[1] (neither): a case needs an `account` and a `permission_set`, or a `group`" in err


def test_the_terraform_group_rules_variable_has_exactly_the_keys_of_a_group_rule_in_the_file():
    variables = (ROOT / "variables.tf").read_text()
    block = re.search(r'variable "group_rules" \{.*?type = list\(object\(\{(.*?)\}\)\)', variables, re.S)
    assert block is not None
    keys = set(re.findall(r"^\s*(\w+)\s*=", block[1], re.M))
    assert keys == set(GroupRule.model_fields)


def test_the_readme_example_of_a_group_rule_is_valid(capsys, tmp_path):
    (example,) = [block for block in readme_yaml_blocks() if block.startswith("group_rules:")]
    status, out, _ = run(capsys, "policy", "check", write(tmp_path, example, "groups.yaml"))
    assert status == 0, out
