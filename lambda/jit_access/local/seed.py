"""What the embedded AWS and the Slack stand-in hold before Terraform runs: an organisation, people, rules.

The demo story, and what each person exercises:

- alice requests AdministratorAccess on production; bob approves (or denies) it.
- bob approves production requests. His Slack profile email is mixed-case (`Bob@Example.com`) while
  Identity Center stores it lower-case: matching must not depend on case.
- carol may approve her own ReadOnlyAccess requests on log-archive (a small-team rule); on production she
  is not an approver, so her click on alice's request is refused.
- dave is in Slack but has no Identity Center user: his request must be refused with a clear reason.
- AdministratorAccess on security needs two approvals, bob's and carol's (a quorum of two).
- ReadOnlyAccess on every account of the sandbox OU needs bob; the sandbox account sits in it, and only
  Organizations knows its name (the module is not told it), so both come from Organizations at run time.
- AdministratorAccess anywhere is never self-approved (an explicit deny), so carol's AdministratorAccess
  request on log-archive waits for bob although another rule would let her approve herself.
- membership of the Identity Center group Oncall, for up to 4 hours, needs bob (a group rule).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

REGION = "us-east-1"
TEAM_ID = "T0LOCAL00"
CHANNEL_ID = "C0LOCAL00"
CHANNEL_NAME = "aws-access"
BOT_USER_ID = "U0JITBOT"

ACCOUNT_NAMES = ("production", "log-archive", "security")
SANDBOX_OU_NAME, SANDBOX_ACCOUNT_NAME = "sandbox", "sandbox"  # an account the module is not told about
GROUPS = ("Oncall",)  # Identity Center groups; a group rule lets people join them for a while
PERMISSION_SETS = {
    "AdministratorAccess": "arn:aws:iam::aws:policy/AdministratorAccess",
    "ReadOnlyAccess": "arn:aws:iam::aws:policy/ReadOnlyAccess",
}


@dataclass(frozen=True)
class Person:
    name: str
    slack_id: str
    email: str  # as Identity Center stores it: lower-case
    slack_email: str  # as the Slack profile shows it
    role: str
    display_name: str
    in_identity_center: bool = True


PEOPLE = (
    Person("alice", "U0ALICE01", "alice@example.com", "alice@example.com", "requester", "Alice Archer"),
    Person("bob", "U0BOB0001", "bob@example.com", "Bob@Example.com", "approver", "Bob Builder"),
    Person("carol", "U0CAROL01", "carol@example.com", "carol@example.com", "self-approver", "Carol Chen"),
    Person(
        "dave",
        "U0DAVE001",
        "dave@example.com",
        "dave@example.com",
        "no-identity-center-user",
        "Dave Doe",
        in_identity_center=False,
    ),
)


@dataclass(frozen=True)
class Seeded:
    """Ids the emulator gave to what was seeded (moto picks account ids and user ids at random)."""

    accounts: dict[str, str]  # name → 12-digit id, the sandbox account included
    sandbox_ou: str  # the OU id holding the sandbox account
    permission_sets: dict[str, str]  # name → ARN
    instance_arn: str
    identity_store_id: str
    user_ids: dict[str, str | None]  # person name → Identity Center user id
    groups: dict[str, str] = field(default_factory=dict)  # group display name → Identity Center group id

    def users(self) -> list[dict[str, Any]]:
        """stack.json's `users`: the people, with their Slack and Identity Center ids."""
        return [
            {
                "name": p.name,
                "slack_id": p.slack_id,
                "email": p.email,
                "slack_email": p.slack_email,
                "identity_center_user_id": self.user_ids.get(p.name),
                "role": p.role,
                "display_name": p.display_name,
            }
            for p in PEOPLE
        ]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def demo_rules(accounts: dict[str, str], sandbox_ou: str) -> list[dict[str, Any]]:
    """The rules of the demo organisation, in the shape of the module's `rules` variable."""
    return [
        {
            "id": "sandbox-read-only",
            "accounts": [sandbox_ou],
            "permission_sets": ["ReadOnlyAccess"],
            "approvers": ["bob@example.com"],
        },
        {
            "id": "production-admin",
            "accounts": [accounts["production"]],
            "permission_sets": ["AdministratorAccess"],
            "approvers": ["bob@example.com"],
            "max_duration": "2h",
        },
        {
            "id": "production-read-only",
            "accounts": [accounts["production"]],
            "permission_sets": ["ReadOnlyAccess"],
            "approvers": ["bob@example.com"],
        },
        {
            "id": "log-archive-read-only",
            "accounts": [accounts["log-archive"]],
            "permission_sets": ["ReadOnlyAccess"],
            "approvers": ["carol@example.com"],
            "allow_self_approval": True,
        },
        {
            "id": "log-archive-admin",
            "accounts": [accounts["log-archive"]],
            "permission_sets": ["AdministratorAccess"],
            "approvers": ["carol@example.com", "bob@example.com"],
            "allow_self_approval": True,
        },
        {
            "id": "security-admin",
            "accounts": [accounts["security"]],
            "permission_sets": ["AdministratorAccess"],
            "approvers": ["bob@example.com", "carol@example.com"],
            "required_approvals": 2,
        },
        {
            "id": "admin-never-self-approved",
            "accounts": ["*"],
            "permission_sets": ["AdministratorAccess"],
            "approvers": ["bob@example.com"],
            "allow_self_approval": False,
        },
    ]


def demo_group_rules() -> list[dict[str, Any]]:
    """The group rules of the demo organisation, in the shape of the module's `group_rules` variable."""
    return [
        {
            "id": "oncall",
            "groups": ["Oncall"],
            "approvers": ["bob@example.com"],
            "max_duration": "4h",
        },
    ]


def slack_people() -> list[dict[str, Any]]:
    """The Slack workspace's members, for the stand-in (ids, names, profile emails as Slack shows them)."""
    return [
        {
            "id": p.slack_id,
            "name": p.name,
            "real_name": p.display_name,
            "email": p.slack_email,
        }
        for p in PEOPLE
    ]


def seed(session: Any, *, endpoint_url: str, region: str = REGION) -> Seeded:
    """Create the organisation, Identity Center permission sets and users in the (empty) emulator."""

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint_url, region_name=region)

    organizations = client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    accounts = {}
    for name in (*ACCOUNT_NAMES, SANDBOX_ACCOUNT_NAME):
        status = organizations.create_account(Email=f"aws+{name}@example.com", AccountName=name)
        accounts[name] = status["CreateAccountStatus"]["AccountId"]
    root = organizations.list_roots()["Roots"][0]["Id"]
    sandbox_ou = organizations.create_organizational_unit(ParentId=root, Name=SANDBOX_OU_NAME)
    sandbox_ou_id = sandbox_ou["OrganizationalUnit"]["Id"]
    organizations.move_account(
        AccountId=accounts[SANDBOX_ACCOUNT_NAME], SourceParentId=root, DestinationParentId=sandbox_ou_id
    )

    sso_admin = client("sso-admin")
    instances = sso_admin.list_instances()["Instances"]
    if len(instances) != 1:
        raise RuntimeError(f"expected one Identity Center instance in the emulator, found {len(instances)}")
    instance_arn = instances[0]["InstanceArn"]
    identity_store_id = instances[0]["IdentityStoreId"]

    permission_sets = {}
    for name, policy_arn in PERMISSION_SETS.items():
        created = sso_admin.create_permission_set(
            InstanceArn=instance_arn, Name=name, Description=f"{name} (jit-access local stack)"
        )
        arn = created["PermissionSet"]["PermissionSetArn"]
        sso_admin.attach_managed_policy_to_permission_set(
            InstanceArn=instance_arn, PermissionSetArn=arn, ManagedPolicyArn=policy_arn
        )
        permission_sets[name] = arn

    identitystore = client("identitystore")
    user_ids: dict[str, str | None] = {}
    for person in PEOPLE:
        if not person.in_identity_center:
            user_ids[person.name] = None
            continue
        given, family = person.display_name.split(" ", 1)
        created = identitystore.create_user(
            IdentityStoreId=identity_store_id,
            UserName=person.email,
            DisplayName=person.display_name,
            Name={"GivenName": given, "FamilyName": family},
            Emails=[{"Value": person.email, "Type": "work", "Primary": True}],
        )
        user_ids[person.name] = created["UserId"]

    groups = {
        name: identitystore.create_group(
            IdentityStoreId=identity_store_id,
            DisplayName=name,
            Description=f"{name} (jit-access local stack)",
        )["GroupId"]
        for name in GROUPS
    }

    return Seeded(
        accounts=accounts,
        sandbox_ou=sandbox_ou_id,
        permission_sets=permission_sets,
        instance_arn=instance_arn,
        identity_store_id=identity_store_id,
        user_ids=user_ids,
        groups=groups,
    )
