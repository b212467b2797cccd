# The audit bucket (versioned, encrypted, never public, TLS only, Object Lock) and the config object the
# functions load from it.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  slack_team_id    = "T0123ABCD"
  slack_channel_id = "C0123ABCD"
  rules = [
    {
      id              = "prod-admin"
      accounts        = ["222222222222"]
      permission_sets = ["AdministratorAccess"]
      approvers       = ["bob@example.com", "dave@example.com"]
      max_duration    = "2h"
    },
    {
      accounts            = ["111111111111"]
      permission_sets     = ["ReadOnlyAccess"]
      approvers           = ["carol@example.com"]
      allow_self_approval = true
    },
  ]
}

run "created_bucket_is_versioned_encrypted_private_and_owner_enforced" {
  command = plan

  assert {
    condition     = length(aws_s3_bucket.audit) == 1 && aws_s3_bucket.audit[0].bucket_prefix == "jit-access-audit-"
    error_message = "Without audit_bucket_name the module must create the audit bucket."
  }

  assert {
    condition     = aws_s3_bucket_versioning.audit[0].versioning_configuration[0].status == "Enabled"
    error_message = "The audit bucket must be versioned (Object Lock needs it, and overwrites must keep the old version)."
  }

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.audit[0].rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    )
    error_message = "Without kms_key_arn the audit bucket must be encrypted with S3-managed keys."
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.audit[0].block_public_acls &&
      aws_s3_bucket_public_access_block.audit[0].block_public_policy &&
      aws_s3_bucket_public_access_block.audit[0].ignore_public_acls &&
      aws_s3_bucket_public_access_block.audit[0].restrict_public_buckets
    )
    error_message = "All four public access blocks must be on."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.audit[0].rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)."
  }

  assert {
    condition = (
      aws_s3_bucket_versioning.audit[0].bucket == aws_s3_bucket.audit[0].id &&
      aws_s3_bucket_server_side_encryption_configuration.audit[0].bucket == aws_s3_bucket.audit[0].id &&
      aws_s3_bucket_public_access_block.audit[0].bucket == aws_s3_bucket.audit[0].id &&
      aws_s3_bucket_object_lock_configuration.audit[0].bucket == aws_s3_bucket.audit[0].id
    )
    error_message = "The settings must apply to the audit bucket."
  }
}

run "created_bucket_refuses_requests_without_tls" {
  command = plan

  assert {
    condition     = length(aws_s3_bucket_policy.audit) == 1 && aws_s3_bucket_policy.audit[0].bucket == aws_s3_bucket.audit[0].id
    error_message = "The audit bucket must get a bucket policy."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.audit_bucket[0].statement : (
        s.effect == "Deny" &&
        s.actions == toset(["s3:*"]) &&
        s.resources == toset([aws_s3_bucket.audit[0].arn, "${aws_s3_bucket.audit[0].arn}/*"]) &&
        s.principals == toset([{ type = "*", identifiers = toset(["*"]) }]) &&
        s.condition == toset([{ test = "Bool", variable = "aws:SecureTransport", values = tolist(["false"]) }])
      )
    ])
    error_message = "The bucket policy must deny every request to the bucket and its objects made without TLS."
  }
}

run "bucket_policy_can_be_left_out_for_the_emulator_only" {
  command = plan

  variables {
    create_audit_bucket_policy = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.audit) == 0 && length(aws_s3_bucket.audit) == 1
    error_message = "create_audit_bucket_policy = false must leave out the policy and nothing else."
  }
}

run "object_lock_defaults_to_governance_for_400_days" {
  command = plan

  assert {
    condition     = aws_s3_bucket.audit[0].object_lock_enabled == true
    error_message = "Object Lock must be switched on when the bucket is created (it cannot be later)."
  }

  assert {
    condition = (
      aws_s3_bucket_object_lock_configuration.audit[0].rule[0].default_retention[0].mode == "GOVERNANCE" &&
      aws_s3_bucket_object_lock_configuration.audit[0].rule[0].default_retention[0].days == 400
    )
    error_message = "Every audit object must be locked in GOVERNANCE mode for 400 days by default."
  }
}

run "object_lock_can_be_compliance_for_six_years" {
  command = plan

  variables {
    audit_object_lock_mode           = "COMPLIANCE"
    audit_object_lock_retention_days = 2190
  }

  assert {
    condition = (
      aws_s3_bucket_object_lock_configuration.audit[0].rule[0].default_retention[0].mode == "COMPLIANCE" &&
      aws_s3_bucket_object_lock_configuration.audit[0].rule[0].default_retention[0].days == 2190
    )
    error_message = "audit_object_lock_mode and audit_object_lock_retention_days must set the bucket's default retention."
  }
}

run "existing_bucket_is_used_and_nothing_is_created" {
  command = plan

  variables {
    audit_bucket_name = "acme-jit-access-audit"
  }

  assert {
    condition = (
      length(aws_s3_bucket.audit) == 0 &&
      length(aws_s3_bucket_versioning.audit) == 0 &&
      length(aws_s3_bucket_server_side_encryption_configuration.audit) == 0 &&
      length(aws_s3_bucket_public_access_block.audit) == 0 &&
      length(aws_s3_bucket_ownership_controls.audit) == 0 &&
      length(aws_s3_bucket_object_lock_configuration.audit) == 0 &&
      length(aws_s3_bucket_policy.audit) == 0
    )
    error_message = "With audit_bucket_name set, the module must not create or reconfigure any bucket."
  }

  assert {
    condition = (
      aws_s3_object.config.bucket == "acme-jit-access-audit" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_AUDIT_BUCKET"] == "acme-jit-access-audit" &&
      aws_lambda_function.revoker.environment[0].variables["JIT_ACCESS_CONFIG_BUCKET"] == "acme-jit-access-audit" &&
      output.audit_bucket_name == "acme-jit-access-audit"
    )
    error_message = "The given bucket must hold the config object and the trail."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "RequestEvents"
    ]) == toset(["arn:aws:s3:::acme-jit-access-audit/audit/*", "arn:aws:s3:::acme-jit-access-audit/state/*"])
    error_message = "The functions' S3 permissions must point at the given bucket."
  }
}

run "config_object_holds_every_rule_key_the_functions_expect" {
  command = plan

  variables {
    reconcile_mode   = "enforce"
    duration_choices = ["15m", "1h"]
    account_names    = { "222222222222" = "production" }
  }

  assert {
    condition = (
      aws_s3_object.config.bucket == aws_s3_bucket.audit[0].id &&
      aws_s3_object.config.key == "config/config.json" &&
      aws_s3_object.config.content_type == "application/json" &&
      aws_s3_object.config.checksum_algorithm == "SHA256"
    )
    error_message = "The config object must be config/config.json in the audit bucket, with a SHA-256 checksum (Object Lock requires one)."
  }

  # jit_access.config.Config forbids unknown keys: the object must carry exactly these, in this shape.
  assert {
    condition = sort(keys(jsondecode(aws_s3_object.config.content))) == sort([
      "schema_version", "slack", "default_max_duration", "duration_choices", "reconcile_mode", "account_names", "rules",
      "group_rules",
    ])
    error_message = "The config object must have exactly the top-level keys of docs/architecture.md."
  }

  assert {
    condition = alltrue([
      for rule in jsondecode(aws_s3_object.config.content).rules : sort(keys(rule)) == sort([
        "id", "accounts", "exclude_accounts", "permission_sets", "approvers", "required_approvals",
        "allow_self_approval", "approval_not_required", "max_duration", "reason_min_length", "ticket_pattern",
      ])
    ])
    error_message = "Every rule in the config object must carry every rule key, null where not set."
  }

  assert {
    condition = jsondecode(aws_s3_object.config.content) == {
      schema_version       = 1
      slack                = { team_id = "T0123ABCD", channel_id = "C0123ABCD", api_url = "https://slack.com/api/" }
      default_max_duration = "8h"
      duration_choices     = ["15m", "1h"]
      reconcile_mode       = "enforce"
      account_names        = { "222222222222" = "production" }
      rules = [
        {
          id                    = "prod-admin"
          accounts              = ["222222222222"]
          exclude_accounts      = []
          permission_sets       = ["AdministratorAccess"]
          approvers             = ["bob@example.com", "dave@example.com"]
          required_approvals    = 1
          allow_self_approval   = null
          approval_not_required = null
          max_duration          = "2h"
          reason_min_length     = null
          ticket_pattern        = null
        },
        {
          id                    = ""
          accounts              = ["111111111111"]
          exclude_accounts      = []
          permission_sets       = ["ReadOnlyAccess"]
          approvers             = ["carol@example.com"]
          required_approvals    = 1
          allow_self_approval   = true
          approval_not_required = null
          max_duration          = null
          reason_min_length     = null
          ticket_pattern        = null
        },
      ]
      group_rules = []
    }
    error_message = "The config object must render the variables as docs/architecture.md shows, rules in order and unset keys null."
  }
}

run "config_object_renders_group_rules_with_every_key" {
  command = plan

  variables {
    group_rules = [
      { id = "oncall", groups = ["Oncall", "a1b2c3d4-0000-1111-2222-333344445555"], approvers = ["lead@example.com"], max_duration = "4h" },
      { groups = ["Team"], approval_not_required = true },
    ]
  }

  assert {
    condition = jsondecode(aws_s3_object.config.content).group_rules == [
      {
        id                    = "oncall"
        groups                = ["Oncall", "a1b2c3d4-0000-1111-2222-333344445555"]
        approvers             = ["lead@example.com"]
        required_approvals    = 1
        allow_self_approval   = null
        approval_not_required = null
        max_duration          = "4h"
        reason_min_length     = null
        ticket_pattern        = null
      },
      {
        id                    = ""
        groups                = ["Team"]
        approvers             = []
        required_approvals    = 1
        allow_self_approval   = null
        approval_not_required = true
        max_duration          = null
        reason_min_length     = null
        ticket_pattern        = null
      },
    ]
    error_message = "group_rules must be rendered into the config object in order, every key present and unset keys null."
  }
}
