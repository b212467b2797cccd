# A production installation: apply it in the Identity Center home region of the management account or of
# the delegated administrator account for Identity Center.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      service = "jit-access"
      owner   = "platform"
    }
  }
}

locals {
  accounts = {
    production = "111111111111"
    staging    = "222222222222"
    security   = "333333333333"
  }
  sandbox_ou = "ou-ab12-cd34ef56"
}

# One customer key for the trail, the queues and the Slack secrets, so that reading them takes a grant
# on this key as well as on the resource, and every decrypt is in CloudTrail. The default key policy
# leaves the decision to IAM, where the module grants the functions decrypt on this key only.
resource "aws_kms_key" "jit_access" {
  description             = "jit-access: audit trail, work queue, Slack secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

module "jit_access" {
  source = "../.."

  slack_team_id    = var.slack_team_id
  slack_channel_id = var.slack_channel_id

  # Names in Slack; the ids stay in the audit trail.
  account_names = {
    (local.accounts.production) = "production"
    (local.accounts.staging)    = "staging"
    (local.accounts.security)   = "security"
  }

  rules = [
    {
      # Production admin needs another person, a ticket, and ends within the hour.
      id              = "prod-admin"
      accounts        = [local.accounts.production]
      permission_sets = ["AdministratorAccess"]
      approvers       = ["lead-a@example.com", "lead-b@example.com", "sre-manager@example.com"]
      max_duration    = "1h"
      ticket_pattern  = "(INC|CHG)-[0-9]+"
      # Explicit, so that no broader rule added later can make production admin self-approvable.
      allow_self_approval = false
    },
    {
      # The security account holds the org's detective controls: two people agree before anyone changes it.
      id                 = "security-admin"
      accounts           = [local.accounts.security]
      permission_sets    = ["AdministratorAccess"]
      approvers          = ["ciso@example.com", "security-lead@example.com", "sre-manager@example.com"]
      required_approvals = 2
      max_duration       = "2h"
      reason_min_length  = 30
    },
    {
      # Reading is granted at once and recorded: the trail, not a gate, is what matters here. The "*"
      # lets the functions assign in every account; the rules still decide who gets what.
      id                    = "read-only"
      accounts              = ["*"]
      exclude_accounts      = [local.accounts.security]
      permission_sets       = ["ReadOnlyAccess", "ViewOnlyAccess"]
      approval_not_required = true
      max_duration          = "8h"
    },
    {
      # Staging and the sandbox OU: any platform engineer approves, for up to a working day.
      id              = "non-prod-power-user"
      accounts        = [local.accounts.staging, local.sandbox_ou]
      permission_sets = ["PowerUserAccess"]
      approvers       = ["lead-a@example.com", "lead-b@example.com", "engineer-c@example.com"]
      max_duration    = "8h"
    },
  ]

  default_max_duration = "4h"
  duration_choices     = ["15m", "30m", "1h", "2h", "4h", "8h"]

  # Roll out in "warn": the reconcile only logs grants still active past their end (their revoke schedule
  # missed them) instead of revoking them. Switch to "enforce" once those logs have stayed quiet.
  reconcile_mode                = "warn"
  reconcile_schedule_expression = "rate(10 minutes)"

  # Auditors need six years; COMPLIANCE means not even the root user can shorten that.
  audit_object_lock_mode           = "COMPLIANCE"
  audit_object_lock_retention_days = 2190
  kms_key_arn                      = aws_kms_key.jit_access.arn

  # Slack sends one request per click: a low ceiling limits what a leaked request URL can cost.
  api_throttling_burst_limit = 20
  api_throttling_rate_limit  = 10

  # Operations logs a little longer than a year, to compare with last year's audit.
  log_retention_in_days     = 400
  dead_letter_alarm_actions = var.oncall_topic_arns

  tags = {
    data-classification = "audit"
  }
}
