# Two engineers, one AWS organisation. Nobody holds admin by default; most of the time each of you
# approves your own request, because the value is the record (who, what, when, why), not a second pair of
# eyes that is often not there. Production admin still needs the other person.

provider "aws" {
  region = var.region
}

locals {
  team       = ["alice@example.com", "bob@example.com"]
  production = "111111111111"
  staging    = "222222222222"
}

module "jit_access" {
  source = "../.."

  slack_team_id    = var.slack_team_id
  slack_channel_id = var.slack_channel_id

  account_names = {
    (local.production) = "production"
    (local.staging)    = "staging"
  }

  rules = [
    {
      # The requester never counts as an approver, so this always takes the other one of you.
      id                  = "prod-admin"
      accounts            = [local.production]
      permission_sets     = ["AdministratorAccess"]
      approvers           = local.team
      allow_self_approval = false
      max_duration        = "2h"
    },
    {
      # Self-approved: granted at once and recorded as such.
      id                  = "staging-admin"
      accounts            = [local.staging]
      permission_sets     = ["AdministratorAccess"]
      approvers           = local.team
      allow_self_approval = true
      max_duration        = "8h"
    },
    {
      id                  = "read-only"
      accounts            = [local.production, local.staging]
      permission_sets     = ["ReadOnlyAccess"]
      approvers           = local.team
      allow_self_approval = true
    },
  ]

  # Two people need no careful rollout: a grant its revoke schedule missed is revoked from the first day.
  reconcile_mode = "enforce"

  # Kept short: a small team pays for every log line and rarely reads old ones; the audit trail in S3
  # (Object Lock, 400 days by default) is the record that lasts.
  log_retention_in_days = 90
}
