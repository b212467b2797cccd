# The config object both functions load on every cold start and validate with jit_access.config.Config
# (unknown keys are an error). Its shape is fixed in docs/architecture.md: every rule key is present,
# null where not set, and an empty `id` is derived by the functions from the rule's targets.
# The functions may read this object but never write it (iam.tf); each new version stays in the
# versioned, Object Locked bucket, and its version id goes into every audit record.

locals {
  config_object_key = "config/config.json"

  config = {
    schema_version = 1
    slack = {
      team_id    = var.slack_team_id
      channel_id = var.slack_channel_id
      api_url    = var.slack_api_url
    }
    default_max_duration = var.default_max_duration
    duration_choices     = var.duration_choices
    reconcile_mode       = var.reconcile_mode
    account_names        = var.account_names
    rules = [
      for rule in var.rules : {
        id                    = rule.id
        accounts              = rule.accounts
        exclude_accounts      = rule.exclude_accounts
        permission_sets       = rule.permission_sets
        approvers             = rule.approvers
        required_approvals    = rule.required_approvals
        allow_self_approval   = rule.allow_self_approval
        approval_not_required = rule.approval_not_required
        max_duration          = rule.max_duration
        reason_min_length     = rule.reason_min_length
        ticket_pattern        = rule.ticket_pattern
      }
    ]
    group_rules = [
      for rule in var.group_rules : {
        id                    = rule.id
        groups                = rule.groups
        approvers             = rule.approvers
        required_approvals    = rule.required_approvals
        allow_self_approval   = rule.allow_self_approval
        approval_not_required = rule.approval_not_required
        max_duration          = rule.max_duration
        reason_min_length     = rule.reason_min_length
        ticket_pattern        = rule.ticket_pattern
      }
    ]
  }
}

resource "aws_s3_object" "config" {
  bucket       = local.audit_bucket_name
  key          = local.config_object_key
  content      = jsonencode(local.config)
  content_type = "application/json"
  # Object Lock buckets require an integrity checksum on every put.
  checksum_algorithm = "SHA256"
  tags               = var.tags

  lifecycle {
    # Set by the bucket's default retention, not by this resource: each version is locked on its own.
    ignore_changes = [object_lock_mode, object_lock_retain_until_date]
  }

  # The bucket's encryption and Object Lock defaults must apply to the first version too.
  depends_on = [
    aws_s3_bucket_server_side_encryption_configuration.audit,
    aws_s3_bucket_object_lock_configuration.audit,
    aws_s3_bucket_policy.audit,
  ]
}
