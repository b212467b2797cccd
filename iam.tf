# Least-privilege policies of the two functions and of the role revoke schedules run as.
#
# Identity Center authorises assignment calls on three resources at once: the instance, the permission
# set and the account. Permission sets are named in the rules, not known as ARNs, so they are scoped to
# the instance (`permissionSet/<instance id>/*`); accounts are scoped to the rules' accounts when every
# rule names 12-digit ids, and to all accounts when a rule uses an OU or "*".

locals {
  sso_instance_resource       = local.sso_instance_arn
  sso_permission_set_resource = "arn:${local.partition}:sso:::permissionSet/${local.sso_instance_id}/*"

  rule_accounts = distinct(flatten([for rule in var.rules : rule.accounts]))
  sso_accounts_explicit = length(local.rule_accounts) > 0 && alltrue([
    for account in local.rule_accounts : can(regex("^[0-9]{12}$", account))
  ])
  sso_account_resources = local.sso_accounts_explicit ? [
    for account in sort(local.rule_accounts) : "arn:${local.partition}:sso:::account/${account}"
  ] : ["arn:${local.partition}:sso:::account/*"]

  # The identity store may belong to another account (the management account, seen from a delegated
  # administrator); its id is unique, so the owning account is left open.
  identity_store_resources = [
    "arn:${local.partition}:identitystore::*:identitystore/${local.identity_store_id}",
    "arn:${local.partition}:identitystore:::user/*",
  ]
  # Group requests (group_rules) add and remove memberships: the store, its groups, users and memberships.
  # Without group rules the functions get no group permission at all.
  identity_store_group_resources = [
    "arn:${local.partition}:identitystore::*:identitystore/${local.identity_store_id}",
    "arn:${local.partition}:identitystore:::group/*",
    "arn:${local.partition}:identitystore:::user/*",
    "arn:${local.partition}:identitystore:::membership/*",
  ]
  group_statements_enabled = length(var.group_rules) > 0

  # Schedule ARNs are arn:...:schedule/<group>/<name>; the functions touch only their own group.
  schedule_resource = "arn:${local.partition}:scheduler:${local.region}:${local.account_id}:schedule/${aws_scheduler_schedule_group.revoke.name}/*"

  kms_key_arns = var.kms_key_arn == null ? [] : [var.kms_key_arn]
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    sid     = "LambdaAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# ---------------------------------------------------------------------------------------------------------
# access-requester: verifies Slack requests, queues work, grants, schedules revokes, writes the trail
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "requester" {
  statement {
    sid = "IdentityCenterAssignments"
    actions = [
      "sso:CreateAccountAssignment",
      "sso:DeleteAccountAssignment",
      "sso:ListAccountAssignments",
    ]
    resources = concat([local.sso_instance_resource, local.sso_permission_set_resource], local.sso_account_resources)
  }

  statement {
    sid = "IdentityCenterRead"
    actions = [
      "sso:DescribeAccountAssignmentCreationStatus",
      "sso:DescribeAccountAssignmentDeletionStatus",
      "sso:DescribePermissionSet",
      "sso:ListPermissionSets",
    ]
    resources = [local.sso_instance_resource, local.sso_permission_set_resource]
  }

  statement {
    sid       = "IdentityStoreUsers"
    actions   = ["identitystore:DescribeUser", "identitystore:GetUserId"]
    resources = local.identity_store_resources
  }

  dynamic "statement" {
    for_each = local.group_statements_enabled ? [1] : []
    content {
      sid = "IdentityStoreGroupMemberships"
      actions = [
        "identitystore:CreateGroupMembership",
        "identitystore:DeleteGroupMembership",
        "identitystore:GetGroupMembershipId",
        "identitystore:GetGroupId",
        "identitystore:DescribeGroup",
        "identitystore:ListGroups",
      ]
      resources = local.identity_store_group_resources
    }
  }

  statement {
    sid = "OrganizationsRead"
    actions = [
      "organizations:ListAccounts",
      "organizations:ListAccountsForParent",
      "organizations:ListChildren",
    ]
    # ListAccounts accepts no resource but "*", and the account and OU ARNs of the others contain the
    # organisation id, which the module does not know. Read-only.
    resources = ["*"]
  }

  statement {
    sid       = "RevokeSchedules"
    actions   = ["scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"]
    resources = [local.schedule_resource]
  }

  statement {
    sid       = "PassSchedulerRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.scheduler.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["scheduler.amazonaws.com"]
    }
  }

  statement {
    sid       = "ReadConfig"
    actions   = ["s3:GetObject"]
    resources = ["${local.audit_bucket_arn}/${local.config_object_key}"]
  }

  statement {
    sid       = "RequestEvents"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.audit_bucket_arn}/audit/*", "${local.audit_bucket_arn}/state/*"]
  }

  statement {
    sid     = "ListRequestEvents"
    actions = ["s3:ListBucket"]
    # Not narrowed by s3:prefix: S3 answers a read of a missing key with 404 only to a caller allowed to
    # list the bucket, and GetObject carries no prefix for the condition to match. Without it every
    # "not written yet" (a decision slot, a message reference) would be a 403, retried to the DLQ.
    resources = [local.audit_bucket_arn]
  }

  statement {
    sid       = "SlackSecrets"
    actions   = ["ssm:GetParameter"]
    resources = [local.slack_bot_token_parameter_arn, local.slack_signing_secret_parameter_arn]
  }

  statement {
    sid = "WorkQueue"
    actions = [
      "sqs:SendMessage",
      # The queue trigger (event source mapping) polls with the function's role.
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.work.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.requester.arn}:*"]
  }

  dynamic "statement" {
    for_each = local.kms_key_arns
    content {
      sid       = "Kms"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role" "requester" {
  name               = local.requester_name
  description        = "jit-access requester: Slack requests, grants, revoke schedules, audit trail."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "requester" {
  name   = "access-requester"
  role   = aws_iam_role.requester.id
  policy = data.aws_iam_policy_document.requester.json
}

# ---------------------------------------------------------------------------------------------------------
# access-revoker: revokes at the end (schedules) and reconciles (periodic rule)
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "revoker" {
  statement {
    sid = "IdentityCenterRevoke"
    actions = [
      "sso:DeleteAccountAssignment",
      "sso:ListAccountAssignments",
    ]
    resources = concat([local.sso_instance_resource, local.sso_permission_set_resource], local.sso_account_resources)
  }

  statement {
    sid = "IdentityCenterRead"
    actions = [
      "sso:DescribeAccountAssignmentDeletionStatus",
      "sso:DescribePermissionSet",
      "sso:ListPermissionSets",
    ]
    resources = [local.sso_instance_resource, local.sso_permission_set_resource]
  }

  statement {
    sid       = "IdentityStoreUsers"
    actions   = ["identitystore:DescribeUser", "identitystore:GetUserId"]
    resources = local.identity_store_resources
  }

  dynamic "statement" {
    for_each = local.group_statements_enabled ? [1] : []
    content {
      # Removes memberships at the end; never adds one.
      sid = "IdentityStoreGroupMemberships"
      actions = [
        "identitystore:DeleteGroupMembership",
        "identitystore:GetGroupMembershipId",
        "identitystore:DescribeGroup",
      ]
      resources = local.identity_store_group_resources
    }
  }

  statement {
    sid = "OrganizationsRead"
    actions = [
      "organizations:ListAccounts",
      "organizations:ListAccountsForParent",
      "organizations:ListChildren",
    ]
    # As for the requester: ListAccounts takes only "*", and the other ARNs need the organisation id.
    resources = ["*"]
  }

  statement {
    sid       = "RevokeSchedules"
    actions   = ["scheduler:DeleteSchedule", "scheduler:GetSchedule"]
    resources = [local.schedule_resource]
  }

  statement {
    sid       = "ReadConfig"
    actions   = ["s3:GetObject"]
    resources = ["${local.audit_bucket_arn}/${local.config_object_key}"]
  }

  statement {
    sid       = "RequestEvents"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.audit_bucket_arn}/audit/*", "${local.audit_bucket_arn}/state/*"]
  }

  statement {
    sid     = "ListRequestEvents"
    actions = ["s3:ListBucket"]
    # Not narrowed by s3:prefix: S3 answers a read of a missing key with 404 only to a caller allowed to
    # list the bucket, and GetObject carries no prefix for the condition to match. Without it every
    # "not written yet" (a decision slot, a message reference) would be a 403, retried to the DLQ.
    resources = [local.audit_bucket_arn]
  }

  statement {
    sid       = "SlackBotToken"
    actions   = ["ssm:GetParameter"]
    resources = [local.slack_bot_token_parameter_arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.revoker.arn}:*"]
  }

  dynamic "statement" {
    for_each = local.kms_key_arns
    content {
      sid       = "Kms"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role" "revoker" {
  name               = local.revoker_name
  description        = "jit-access revoker: revokes grants at their end and reconciles."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "revoker" {
  name   = "access-revoker"
  role   = aws_iam_role.revoker.id
  policy = data.aws_iam_policy_document.revoker.json
}

# ---------------------------------------------------------------------------------------------------------
# The role revoke schedules run as: may invoke the revoker, nothing else
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    sid     = "SchedulerAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    # Only schedules of this account's revoke group may use the role (no confused deputy).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_scheduler_schedule_group.revoke.arn]
    }
  }
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeRevoker"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.revoker.arn]
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.name}-scheduler"
  description        = "Assumed by jit-access revoke schedules to invoke the revoker."
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-access-revoker"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
