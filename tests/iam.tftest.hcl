# Least privilege of the two functions and of the role revoke schedules run as. The policies are asserted
# on their `statement` blocks (the mocked provider does not render JSON), keyed by sid.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

# Distinct ARNs for the resources a statement could point at by mistake.
override_resource {
  target          = aws_iam_role.requester
  override_during = plan
  values          = { arn = "arn:aws:iam::999999999999:role/access-requester" }
}

override_resource {
  target          = aws_iam_role.revoker
  override_during = plan
  values          = { arn = "arn:aws:iam::999999999999:role/access-revoker" }
}

override_resource {
  target          = aws_iam_role.scheduler
  override_during = plan
  values          = { arn = "arn:aws:iam::999999999999:role/jit-access-scheduler" }
}

override_resource {
  target          = aws_lambda_function.requester
  override_during = plan
  values          = { arn = "arn:aws:lambda:eu-west-1:999999999999:function:access-requester" }
}

override_resource {
  target          = aws_lambda_function.revoker
  override_during = plan
  values          = { arn = "arn:aws:lambda:eu-west-1:999999999999:function:access-revoker" }
}

override_resource {
  target          = aws_sqs_queue.work
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:999999999999:jit-access-work.fifo" }
}

override_resource {
  target          = aws_sqs_queue.dead_letter
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:999999999999:jit-access-work-dlq.fifo" }
}

override_resource {
  target          = aws_cloudwatch_log_group.requester
  override_during = plan
  values          = { arn = "arn:aws:logs:eu-west-1:999999999999:log-group:/aws/lambda/access-requester" }
}

override_resource {
  target          = aws_cloudwatch_log_group.revoker
  override_during = plan
  values          = { arn = "arn:aws:logs:eu-west-1:999999999999:log-group:/aws/lambda/access-revoker" }
}

override_resource {
  target          = aws_ssm_parameter.slack_bot_token
  override_during = plan
  values          = { arn = "arn:aws:ssm:eu-west-1:999999999999:parameter/jit-access/slack-bot-token" }
}

override_resource {
  target          = aws_ssm_parameter.slack_signing_secret
  override_during = plan
  values          = { arn = "arn:aws:ssm:eu-west-1:999999999999:parameter/jit-access/slack-signing-secret" }
}

variables {
  slack_team_id    = "T0123ABCD"
  slack_channel_id = "C0123ABCD"
  rules = [
    {
      id              = "prod-admin"
      accounts        = ["222222222222"]
      permission_sets = ["AdministratorAccess"]
      approvers       = ["bob@example.com"]
    },
    {
      id              = "dev-readonly"
      accounts        = ["111111111111"]
      permission_sets = ["ReadOnlyAccess"]
      approvers       = ["carol@example.com"]
    },
  ]
}

run "requester_passes_only_the_scheduler_role_and_only_to_the_scheduler" {
  command = plan

  assert {
    condition = [
      for s in data.aws_iam_policy_document.requester.statement : s if contains(s.actions, "iam:PassRole")
      ] == [
      for s in data.aws_iam_policy_document.requester.statement : s if s.sid == "PassSchedulerRole"
    ]
    error_message = "iam:PassRole must appear in one statement only."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : (
        s.actions == toset(["iam:PassRole"]) &&
        s.resources == toset(["arn:aws:iam::999999999999:role/jit-access-scheduler"])
      ) if s.sid == "PassSchedulerRole"
    ])
    error_message = "The requester may pass exactly the scheduler role, no other role."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.condition == toset([{
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = tolist(["scheduler.amazonaws.com"])
      }]) if s.sid == "PassSchedulerRole"
    ])
    error_message = "iam:PassRole must be conditioned on iam:PassedToService = scheduler.amazonaws.com."
  }

  assert {
    condition = !anytrue([
      for s in concat(data.aws_iam_policy_document.revoker.statement, data.aws_iam_policy_document.scheduler.statement) :
      contains(s.actions, "iam:PassRole")
    ])
    error_message = "Neither the revoker nor the scheduler role may pass roles."
  }
}

run "scheduler_role_may_only_invoke_the_revoker_from_this_accounts_revoke_group" {
  command = plan

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.scheduler_assume.statement : (
        s.actions == toset(["sts:AssumeRole"]) &&
        s.principals == toset([{ type = "Service", identifiers = toset(["scheduler.amazonaws.com"]) }])
      )
    ])
    error_message = "Only EventBridge Scheduler may assume the scheduler role."
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.scheduler_assume.statement : s.condition]) == toset([
      { test = "StringEquals", variable = "aws:SourceAccount", values = tolist(["999999999999"]) },
      { test = "ArnEquals", variable = "aws:SourceArn", values = tolist(["arn:aws:scheduler:eu-west-1:999999999999:schedule-group/jit-access-revoke"]) },
    ])
    error_message = "The scheduler role's trust must be limited to this account's revoke schedule group (no confused deputy)."
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.scheduler.statement) == 1 &&
      data.aws_iam_policy_document.scheduler.statement[0].actions == toset(["lambda:InvokeFunction"]) &&
      data.aws_iam_policy_document.scheduler.statement[0].resources == toset(["arn:aws:lambda:eu-west-1:999999999999:function:access-revoker"])
    )
    error_message = "The scheduler role may invoke the revoker and nothing else."
  }

  assert {
    condition = (
      aws_iam_role_policy.scheduler.role == aws_iam_role.scheduler.id &&
      aws_iam_role_policy.requester.role == aws_iam_role.requester.id &&
      aws_iam_role_policy.revoker.role == aws_iam_role.revoker.id
    )
    error_message = "Each policy must be attached to its own role."
  }
}

run "functions_are_assumed_by_lambda_only" {
  command = plan

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.lambda_assume.statement :
      s.actions == toset(["sts:AssumeRole"]) && s.principals == toset([{ type = "Service", identifiers = toset(["lambda.amazonaws.com"]) }])
    ])
    error_message = "The functions' roles must trust lambda.amazonaws.com only."
  }
}

run "no_wildcard_actions_and_no_wildcard_resources_but_organizations_reads" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement, data.aws_iam_policy_document.scheduler.statement) :
      [for action in s.actions : !strcontains(action, "*")]
    ]))
    error_message = "Every action of the functions and the scheduler role must be named, never a wildcard."
  }

  assert {
    condition = alltrue([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement) :
      s.sid == "OrganizationsRead" && alltrue([for a in s.actions : can(regex("^organizations:(Describe|List)", a))])
      if contains(s.resources, "*")
    ])
    error_message = "Only the read-only Organizations statement may use resource \"*\"."
  }

  assert {
    condition = alltrue([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement) :
      s.effect == null && s.not_actions == null && s.not_resources == null && length(s.not_principals) == 0
    ])
    error_message = "The functions' policies must be plain allow lists (no NotAction / NotResource)."
  }
}

run "assignments_are_scoped_to_the_accounts_the_rules_name" {
  command = plan

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "IdentityCenterAssignments"
      ]) == toset([
      "arn:aws:sso:::instance/ssoins-1111222233334444",
      "arn:aws:sso:::permissionSet/ssoins-1111222233334444/*",
      "arn:aws:sso:::account/111111111111",
      "arn:aws:sso:::account/222222222222",
    ])
    error_message = "With 12-digit account ids in every rule, assignments must be limited to those accounts and the one instance."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.revoker.statement : s.resources if s.sid == "IdentityCenterRevoke"
    ]) == one([for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "IdentityCenterAssignments"])
    error_message = "The revoker must be scoped like the requester."
  }
}

run "an_ou_or_wildcard_rule_opens_assignments_to_every_account" {
  command = plan

  variables {
    rules = [
      {
        id              = "prod-admin"
        accounts        = ["222222222222"]
        permission_sets = ["AdministratorAccess"]
        approvers       = ["bob@example.com"]
      },
      {
        id              = "sandbox"
        accounts        = ["ou-ab12-34cd56ef"]
        permission_sets = ["*"]
        approvers       = ["carol@example.com"]
      },
    ]
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "IdentityCenterAssignments"
      ]) == toset([
      "arn:aws:sso:::instance/ssoins-1111222233334444",
      "arn:aws:sso:::permissionSet/ssoins-1111222233334444/*",
      "arn:aws:sso:::account/*",
    ])
    error_message = "An OU in a rule cannot be resolved at plan time: assignments must cover every account of the instance."
  }
}

run "revoker_can_only_take_access_away" {
  command = plan

  assert {
    condition = !anytrue(flatten([
      for s in data.aws_iam_policy_document.revoker.statement : [
        for action in s.actions : contains([
          "sso:CreateAccountAssignment", "scheduler:CreateSchedule", "sqs:SendMessage", "iam:PassRole",
        ], action)
      ]
    ]))
    error_message = "The revoker must not grant access, create schedules, enqueue work or pass roles."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.revoker.statement : s.resources if s.sid == "SlackBotToken"
    ]) == toset(["arn:aws:ssm:eu-west-1:999999999999:parameter/jit-access/slack-bot-token"])
    error_message = "The revoker may read the bot token only, not the signing secret."
  }
}

run "requester_reads_exactly_the_two_slack_parameters" {
  command = plan

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "SlackSecrets"
      ]) == toset([
      "arn:aws:ssm:eu-west-1:999999999999:parameter/jit-access/slack-bot-token",
      "arn:aws:ssm:eu-west-1:999999999999:parameter/jit-access/slack-signing-secret",
    ])
    error_message = "The requester may read the two Slack parameters and no other."
  }

  assert {
    condition = alltrue(flatten([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement) : [
        for action in s.actions : action == "ssm:GetParameter" if startswith(action, "ssm:")
      ]
    ]))
    error_message = "ssm:GetParameter is the only SSM action the functions may have (no GetParameters, GetParametersByPath or Put)."
  }
}

run "functions_cannot_rewrite_the_config_or_delete_the_trail" {
  command = plan

  assert {
    condition = alltrue([
      for policy in [data.aws_iam_policy_document.requester, data.aws_iam_policy_document.revoker] : alltrue([
        for s in policy.statement : s.resources == toset(["arn:aws:s3:::jit-access-audit-20260101000000000000000001/audit/*", "arn:aws:s3:::jit-access-audit-20260101000000000000000001/state/*"])
        if contains(s.actions, "s3:PutObject")
      ])
    ])
    error_message = "The functions may write under audit/ and state/ only: never the config object."
  }

  assert {
    condition = alltrue([
      for policy in [data.aws_iam_policy_document.requester, data.aws_iam_policy_document.revoker] :
      one([for s in policy.statement : s.resources if s.sid == "ReadConfig"]) == toset(["arn:aws:s3:::jit-access-audit-20260101000000000000000001/config/config.json"])
    ])
    error_message = "The functions may read the config object itself."
  }

  assert {
    condition = alltrue(flatten([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement) : [
        for action in s.actions : contains(["s3:GetObject", "s3:PutObject", "s3:ListBucket"], action) if startswith(action, "s3:")
      ]
    ]))
    error_message = "The functions may get, put and list objects only: no delete, no retention or legal-hold change, no governance bypass."
  }

  assert {
    condition = alltrue([
      for policy in [data.aws_iam_policy_document.requester, data.aws_iam_policy_document.revoker] :
      one([for s in policy.statement : s.resources if s.sid == "ListRequestEvents"]) == toset(["arn:aws:s3:::jit-access-audit-20260101000000000000000001"])
      && length(one([for s in policy.statement : s.condition if s.sid == "ListRequestEvents"])) == 0
    ])
    # A prefix condition would turn every read of a not-yet-written slot into a 403 (see iam.tf).
    error_message = "The functions list the audit bucket only, without a prefix condition, so a missing slot reads as 404."
  }
}

run "queue_schedules_and_logs_are_the_functions_own" {
  command = plan

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "WorkQueue"
    ]) == toset(["arn:aws:sqs:eu-west-1:999999999999:jit-access-work.fifo"])
    error_message = "The requester may use the work queue only (the dead-letter queue is for people)."
  }

  assert {
    condition = alltrue([
      for policy in [data.aws_iam_policy_document.requester, data.aws_iam_policy_document.revoker] :
      one([for s in policy.statement : s.resources if s.sid == "RevokeSchedules"]) == toset(["arn:aws:scheduler:eu-west-1:999999999999:schedule/jit-access-revoke/*"])
    ])
    error_message = "Schedules may be touched in the module's revoke group only."
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "Logs"]) == toset(["arn:aws:logs:eu-west-1:999999999999:log-group:/aws/lambda/access-requester:*"]) &&
      one([for s in data.aws_iam_policy_document.revoker.statement : s.resources if s.sid == "Logs"]) == toset(["arn:aws:logs:eu-west-1:999999999999:log-group:/aws/lambda/access-revoker:*"])
    )
    error_message = "Each function may write to its own log group only."
  }

  assert {
    condition = !anytrue(flatten([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement) :
      [for action in s.actions : action == "logs:CreateLogGroup"]
    ]))
    error_message = "The functions must not create log groups: the module makes them, with retention."
  }
}

run "without_group_rules_the_functions_cannot_touch_groups" {
  command = plan

  assert {
    condition = !anytrue(flatten([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement) :
      [for action in s.actions : strcontains(action, "Group")]
    ]))
    error_message = "Without group_rules neither function may read or change Identity Center groups."
  }
}

run "group_rules_let_the_requester_add_and_remove_memberships_and_the_revoker_only_remove" {
  command = plan

  variables {
    group_rules = [{ id = "oncall", groups = ["Oncall"], approvers = ["bob@example.com"] }]
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.actions if s.sid == "IdentityStoreGroupMemberships"
      ]) == toset([
      "identitystore:CreateGroupMembership", "identitystore:DeleteGroupMembership",
      "identitystore:GetGroupMembershipId", "identitystore:GetGroupId", "identitystore:DescribeGroup",
      "identitystore:ListGroups",
    ])
    error_message = "The requester must be able to resolve groups and add and remove memberships, and nothing more on groups."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "IdentityStoreGroupMemberships"
      ]) == toset([
      "arn:aws:identitystore::*:identitystore/d-1111222233",
      "arn:aws:identitystore:::group/*",
      "arn:aws:identitystore:::user/*",
      "arn:aws:identitystore:::membership/*",
    ])
    error_message = "Group memberships must be scoped to the module's identity store, as the user lookups are."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.revoker.statement : s.actions if s.sid == "IdentityStoreGroupMemberships"
      ]) == toset([
      "identitystore:DeleteGroupMembership", "identitystore:GetGroupMembershipId", "identitystore:DescribeGroup",
    ])
    error_message = "The revoker may only look up and remove group memberships, never add one."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.revoker.statement : s.resources if s.sid == "IdentityStoreGroupMemberships"
    ]) == one([for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "IdentityStoreGroupMemberships"])
    error_message = "The revoker's group statement must be scoped like the requester's."
  }
}
