# Inputs are checked at plan time, with messages that say what to fix. Each run below breaks one thing;
# the rules get one run per check, since they all report on var.rules. The first run proves that every
# documented form is accepted, so that a check which refuses everything cannot pass unnoticed.

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
      accounts        = ["111111111111"]
      permission_sets = ["AdministratorAccess"]
      approvers       = ["bob@example.com"]
    },
  ]
}

run "accepts_every_documented_form" {
  command = plan

  variables {
    name_prefix                         = "staging-"
    tags                                = { team = "platform" }
    slack_api_url                       = "http://127.0.0.1:5056/api/"
    slack_bot_token_parameter_name      = "/slack/jit-access/bot-token"
    slack_signing_secret_parameter_name = "slack.jit_access-signing-secret"
    rules = [
      {
        id                 = "prod-admin"
        accounts           = ["111111111111", "ou-ab12-34cd56ef"]
        exclude_accounts   = ["222222222222"]
        permission_sets    = ["AdministratorAccess", "Billing+Read=1,2.@_-"]
        approvers          = ["bob@example.com", "Dave.O'Neil@Example.co.uk"]
        required_approvals = 2
        max_duration       = "1h30m"
        reason_min_length  = 20
        ticket_pattern     = "[A-Z]+-[0-9]+"
      },
      { accounts = ["*"], permission_sets = ["*"], approval_not_required = true, max_duration = "45m" },
      { accounts = ["*"], permission_sets = ["ReadOnlyAccess"], approvers = ["carol@example.com"], allow_self_approval = true, max_duration = "999h" },
    ]
    default_max_duration             = "90m"
    duration_choices                 = ["15m", "1h", "0h30m", "9999m"]
    reconcile_mode                   = "enforce"
    reconcile_schedule_expression    = "cron(0/10 * * * ? *)"
    account_names                    = { "111111111111" = "production" }
    sso_instance_arn                 = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
    identity_store_id                = "d-1234567890"
    lambda_runtime                   = "python3.11"
    lambda_architecture              = "x86_64"
    package_build_python             = "/opt/venv/bin/python"
    requester_memory_size            = 1024
    requester_timeout                = 900
    revoker_memory_size              = 128
    revoker_timeout                  = 30
    log_level                        = "DEBUG"
    log_retention_in_days            = 3653
    api_throttling_burst_limit       = 5000
    api_throttling_rate_limit        = 0.5
    queue_max_receive_count          = 1
    dead_letter_alarm_actions        = ["arn:aws:sns:eu-west-1:999999999999:oncall"]
    audit_object_lock_mode           = "COMPLIANCE"
    audit_object_lock_retention_days = 2190
    kms_key_arn                      = "arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = length(jsondecode(aws_s3_object.config.content).rules) == 3
    error_message = "A valid configuration must plan, with every rule in the config object."
  }
}

run "accepts_an_existing_bucket_name" {
  command = plan

  variables {
    audit_bucket_name = "acme.jit-access-audit"
  }

  assert {
    condition     = output.audit_bucket_name == "acme.jit-access-audit"
    error_message = "A valid bucket name must be accepted."
  }
}

# --- rules ---------------------------------------------------------------------------------------------

run "rejects_no_rules" {
  command = plan
  variables {
    rules = []
  }
  expect_failures = [var.rules]
}

run "rejects_an_account_id_that_is_not_12_digits" {
  command = plan
  variables {
    rules = [{ accounts = ["11111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"] }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_bad_excluded_account" {
  command = plan
  variables {
    rules = [{ accounts = ["*"], exclude_accounts = ["production"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"] }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_permission_set_name_with_spaces" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["Administrator Access"], approvers = ["bob@example.com"] }]
  }
  expect_failures = [var.rules]
}

run "rejects_an_approver_that_is_not_an_email" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob"] }]
  }
  expect_failures = [var.rules]
}

run "rejects_zero_required_approvals" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"], required_approvals = 0 }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_quorum_larger_than_the_approvers" {
  command = plan
  variables {
    # Two spellings of one address are one approver.
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com", "Bob@Example.com"], required_approvals = 2 }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_rule_that_needs_approval_but_has_no_approvers" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"] }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_max_duration_in_words" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"], max_duration = "2 hours" }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_zero_max_duration" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"], max_duration = "0h0m" }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_max_duration_the_functions_cannot_parse" {
  command = plan
  variables {
    # jit_access.core.timeutil accepts up to 3 digits of hours.
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"], max_duration = "1000h" }]
  }
  expect_failures = [var.rules]
}

run "rejects_an_empty_max_duration" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"], max_duration = "" }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_reason_min_length_over_3000" {
  command = plan
  variables {
    rules = [{ accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"], reason_min_length = 3001 }]
  }
  expect_failures = [var.rules]
}

run "rejects_a_rule_id_with_spaces" {
  command = plan
  variables {
    rules = [{ id = "prod admin", accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"] }]
  }
  expect_failures = [var.rules]
}

run "rejects_duplicate_rule_ids" {
  command = plan
  variables {
    rules = [
      { id = "prod", accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"] },
      { id = "prod", accounts = ["222222222222"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"] },
    ]
  }
  expect_failures = [var.rules]
}

run "rejects_two_unnamed_rules_with_the_same_targets" {
  command = plan
  variables {
    rules = [
      { accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["bob@example.com"] },
      { accounts = ["111111111111"], permission_sets = ["ReadOnlyAccess"], approvers = ["carol@example.com"], allow_self_approval = true },
    ]
  }
  expect_failures = [var.rules]
}

# --- behaviour -----------------------------------------------------------------------------------------

# --- group rules ---------------------------------------------------------------------------------------

run "accepts_group_rules_alone" {
  command = plan
  variables {
    rules = []
    group_rules = [
      { id = "oncall", groups = ["Oncall", "a1b2c3d4-0000-1111-2222-333344445555"], approvers = ["lead@example.com"], max_duration = "4h", allow_self_approval = false },
      { groups = ["Team"], approval_not_required = true, reason_min_length = 10, ticket_pattern = "INC-[0-9]+" },
    ]
  }
}

run "rejects_a_group_rule_without_groups" {
  command = plan
  variables {
    group_rules = [{ id = "oncall", groups = [], approvers = ["bob@example.com"] }]
  }
  expect_failures = [var.group_rules]
}

run "rejects_a_blank_group_name" {
  command = plan
  variables {
    group_rules = [{ id = "oncall", groups = ["  "], approvers = ["bob@example.com"] }]
  }
  expect_failures = [var.group_rules]
}

run "rejects_a_group_rule_approver_that_is_not_an_email" {
  command = plan
  variables {
    group_rules = [{ id = "oncall", groups = ["Oncall"], approvers = ["bob"] }]
  }
  expect_failures = [var.group_rules]
}

run "rejects_a_group_rule_quorum_larger_than_its_approvers" {
  command = plan
  variables {
    group_rules = [{ id = "oncall", groups = ["Oncall"], approvers = ["bob@example.com"], required_approvals = 2 }]
  }
  expect_failures = [var.group_rules]
}

run "rejects_a_group_rule_max_duration_in_words" {
  command = plan
  variables {
    group_rules = [{ id = "oncall", groups = ["Oncall"], approvers = ["bob@example.com"], max_duration = "4 hours" }]
  }
  expect_failures = [var.group_rules]
}

run "rejects_a_group_rule_reason_min_length_over_3000" {
  command = plan
  variables {
    group_rules = [{ id = "oncall", groups = ["Oncall"], approvers = ["bob@example.com"], reason_min_length = 3001 }]
  }
  expect_failures = [var.group_rules]
}

run "rejects_a_group_rule_id_with_spaces" {
  command = plan
  variables {
    group_rules = [{ id = "on call", groups = ["Oncall"], approvers = ["bob@example.com"] }]
  }
  expect_failures = [var.group_rules]
}

run "rejects_duplicate_group_rule_ids" {
  command = plan
  variables {
    group_rules = [
      { id = "oncall", groups = ["Oncall"], approvers = ["bob@example.com"] },
      { id = "oncall", groups = ["Team"], approvers = ["bob@example.com"] },
    ]
  }
  expect_failures = [var.group_rules]
}

run "rejects_two_unnamed_group_rules_with_the_same_groups" {
  command = plan
  variables {
    group_rules = [
      { groups = ["Oncall"], approvers = ["bob@example.com"] },
      { groups = ["Oncall"], approval_not_required = true },
    ]
  }
  expect_failures = [var.group_rules]
}

run "rejects_bad_durations_and_reconcile_settings" {
  command = plan
  variables {
    default_max_duration          = "1d"
    duration_choices              = ["30m", "0m"]
    reconcile_mode                = "revoke"
    reconcile_schedule_expression = "every 15 minutes"
    account_names                 = { production = "111111111111" }
  }
  expect_failures = [
    var.default_max_duration,
    var.duration_choices,
    var.reconcile_mode,
    var.reconcile_schedule_expression,
    var.account_names,
  ]
}

run "rejects_no_duration_choices" {
  command = plan
  variables {
    duration_choices = []
  }
  expect_failures = [var.duration_choices]
}

# --- Slack ---------------------------------------------------------------------------------------------

run "rejects_slack_names_where_ids_are_needed" {
  command = plan
  variables {
    name_prefix                         = "Staging_"
    slack_team_id                       = "acme-corp"
    slack_channel_id                    = "#access"
    slack_api_url                       = "https://slack.com/api"
    slack_bot_token_parameter_name      = "arn:aws:ssm:eu-west-1:999999999999:parameter/slack/bot-token"
    slack_signing_secret_parameter_name = "/slack/signing secret"
  }
  expect_failures = [
    var.name_prefix,
    var.slack_team_id,
    var.slack_channel_id,
    var.slack_api_url,
    var.slack_bot_token_parameter_name,
    var.slack_signing_secret_parameter_name,
  ]
}

# --- Identity Center -----------------------------------------------------------------------------------

run "rejects_half_an_identity_center_instance" {
  command = plan
  variables {
    identity_store_id = "d-1234567890"
  }
  expect_failures = [var.identity_store_id]
}

run "rejects_an_instance_id_where_the_arn_is_needed" {
  command = plan
  variables {
    sso_instance_arn  = "ssoins-1234567890abcdef"
    identity_store_id = "d-1234567890"
  }
  expect_failures = [var.sso_instance_arn]
}

run "rejects_a_malformed_identity_store_id" {
  command = plan
  variables {
    sso_instance_arn  = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
    identity_store_id = "1234567890"
  }
  expect_failures = [var.identity_store_id]
}

run "refuses_to_guess_without_exactly_one_identity_center_instance" {
  command = plan

  override_data {
    target = data.aws_ssoadmin_instances.this
    values = {
      arns               = []
      identity_store_ids = []
    }
  }

  expect_failures = [data.aws_ssoadmin_instances.this]
}

# --- functions, API, queue, audit ----------------------------------------------------------------------

run "rejects_bad_function_settings" {
  command = plan
  variables {
    lambda_runtime        = "python3.9"
    lambda_architecture   = "amd64"
    lambda_package_path   = "dist/package.tar.gz"
    package_build_python  = " "
    requester_memory_size = 100
    requester_timeout     = 10
    revoker_memory_size   = 256.5
    revoker_timeout       = 901
    log_level             = "TRACE"
    log_retention_in_days = 42
  }
  expect_failures = [
    var.lambda_runtime,
    var.lambda_architecture,
    var.lambda_package_path,
    var.package_build_python,
    var.requester_memory_size,
    var.requester_timeout,
    var.revoker_memory_size,
    var.revoker_timeout,
    var.log_level,
    var.log_retention_in_days,
  ]
}

run "rejects_bad_api_and_queue_settings" {
  command = plan
  variables {
    api_throttling_burst_limit = 0
    api_throttling_rate_limit  = 0
    queue_max_receive_count    = 0
    dead_letter_alarm_actions  = ["oncall"]
  }
  expect_failures = [
    var.api_throttling_burst_limit,
    var.api_throttling_rate_limit,
    var.queue_max_receive_count,
    var.dead_letter_alarm_actions,
  ]
}

run "rejects_bad_audit_and_encryption_settings" {
  command = plan
  variables {
    audit_bucket_name                = "Audit_Bucket"
    audit_object_lock_mode           = "LEGAL_HOLD"
    audit_object_lock_retention_days = 0
    kms_key_arn                      = "alias/jit-access"
  }
  expect_failures = [
    var.audit_bucket_name,
    var.audit_object_lock_mode,
    var.audit_object_lock_retention_days,
    var.kms_key_arn,
  ]
}
