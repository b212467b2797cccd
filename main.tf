# jit-access: just-in-time AWS access through IAM Identity Center, requested and approved in Slack.
#
# Where things are made:
#   requester.tf  the access-requester function (Slack requests over API Gateway, and queued work)
#   revoker.tf    the access-revoker function (revoke schedules and the periodic reconcile)
#   api.tf        the HTTP API Slack posts to
#   queue.tf      the FIFO work queue, its dead-letter queue and alarm, the queue trigger
#   scheduler.tf  the schedule group and role for revoke schedules, the reconcile rule
#   audit.tf      the audit bucket (versioning, encryption, Object Lock, TLS only)
#   config.tf     the rendered config object the functions read
#   secrets.tf    the SSM parameters for the Slack bot token and signing secret
#   iam.tf        the functions' least-privilege policies
#   logs.tf       log groups with retention
#   package.tf    the deployment zip, built during apply
#
# Names, environment variables and the config object shape are fixed in docs/architecture.md.

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

# An organisation has one Identity Center instance; it is visible from the management account and the
# delegated administrator account, in the Identity Center home region.
data "aws_ssoadmin_instances" "this" {
  count = var.sso_instance_arn == null ? 1 : 0

  lifecycle {
    postcondition {
      condition     = length(self.arns) == 1
      error_message = "Found ${length(self.arns)} IAM Identity Center instances where exactly one is needed. Apply in the Identity Center home region of the management or delegated administrator account, or set sso_instance_arn and identity_store_id."
    }
  }
}

locals {
  name           = "${var.name_prefix}jit-access"
  requester_name = "${var.name_prefix}access-requester"
  revoker_name   = "${var.name_prefix}access-revoker"

  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  sso_instance_arn  = var.sso_instance_arn != null ? var.sso_instance_arn : data.aws_ssoadmin_instances.this[0].arns[0]
  identity_store_id = var.identity_store_id != null ? var.identity_store_id : data.aws_ssoadmin_instances.this[0].identity_store_ids[0]
  # "arn:aws:sso:::instance/ssoins-1234567890abcdef" -> "ssoins-1234567890abcdef"
  sso_instance_id = element(split("/", local.sso_instance_arn), 1)
}
