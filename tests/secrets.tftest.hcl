# The Slack bot token and signing secret: SSM SecureString parameters, made by the module with a
# placeholder or given by name. The functions get names; IAM grants GetParameter on exactly those.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  slack_team_id    = "T0123ABCD"
  slack_channel_id = "C0123ABCD"
  rules = [
    {
      accounts        = ["111111111111"]
      permission_sets = ["ReadOnlyAccess"]
      approvers       = ["carol@example.com"]
    },
  ]
}

run "module_creates_secure_string_parameters_written_only_once" {
  command = plan

  assert {
    condition = (
      aws_ssm_parameter.slack_bot_token[0].name == "/jit-access/slack-bot-token" &&
      aws_ssm_parameter.slack_signing_secret[0].name == "/jit-access/slack-signing-secret"
    )
    error_message = "Without parameter names given, the module must create /jit-access/slack-bot-token and /jit-access/slack-signing-secret."
  }

  assert {
    condition = alltrue([
      for p in [aws_ssm_parameter.slack_bot_token[0], aws_ssm_parameter.slack_signing_secret[0]] :
      p.type == "SecureString" && p.value_wo_version == 1
    ])
    error_message = "The parameters must be SecureStrings whose placeholder is written once through value_wo (so the real value put in later is never overwritten or stored in state)."
  }

  assert {
    condition = (
      output.slack_bot_token_parameter_name == "/jit-access/slack-bot-token" &&
      output.slack_signing_secret_parameter_name == "/jit-access/slack-signing-secret"
    )
    error_message = "The outputs must name the parameters to put the real values in."
  }
}

run "existing_parameters_are_used_and_none_is_created" {
  command = plan

  variables {
    slack_bot_token_parameter_name      = "/slack/jit-access/bot-token"
    slack_signing_secret_parameter_name = "slack-jit-access-signing-secret"
  }

  assert {
    condition     = length(aws_ssm_parameter.slack_bot_token) == 0 && length(aws_ssm_parameter.slack_signing_secret) == 0
    error_message = "With parameter names given, the module must create no parameters."
  }

  assert {
    condition = (
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER"] == "/slack/jit-access/bot-token" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_SLACK_SIGNING_SECRET_PARAMETER"] == "slack-jit-access-signing-secret" &&
      aws_lambda_function.revoker.environment[0].variables["JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER"] == "/slack/jit-access/bot-token"
    )
    error_message = "The functions must get the given parameter names."
  }

  # GetParameter is authorised on the ARN, which has no leading "/" after "parameter".
  assert {
    condition = one([
      for s in data.aws_iam_policy_document.requester.statement : s.resources if s.sid == "SlackSecrets"
      ]) == toset([
      "arn:aws:ssm:eu-west-1:999999999999:parameter/slack/jit-access/bot-token",
      "arn:aws:ssm:eu-west-1:999999999999:parameter/slack-jit-access-signing-secret",
    ])
    error_message = "GetParameter must be granted on exactly the ARNs of the given parameters."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.revoker.statement : s.resources if s.sid == "SlackBotToken"
    ]) == toset(["arn:aws:ssm:eu-west-1:999999999999:parameter/slack/jit-access/bot-token"])
    error_message = "The revoker must be granted the given bot token parameter only."
  }
}
