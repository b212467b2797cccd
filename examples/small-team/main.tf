# Two engineers, one AWS organisation. Nobody holds admin by default; most of the time each of you
# approves your own request, because the value is the record (who, what, when, why), not a second pair of
# eyes that is often not there. Production admin still needs the other person.

provider "aws" {
  region = var.region
}

locals {
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

  # rules.yaml mirrors the `rules` variable key for key; `jit-access policy check rules.yaml` checks it.
  rules = yamldecode(file("${path.module}/rules.yaml")).rules

  # Two people need no careful rollout: a grant its revoke schedule missed is revoked from the first day.
  reconcile_mode = "enforce"

  # Kept short: a small team pays for every log line and rarely reads old ones; the audit trail in S3
  # (Object Lock, 400 days by default) is the record that lasts.
  log_retention_in_days = 90
}
