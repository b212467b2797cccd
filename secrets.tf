# The Slack bot token and signing secret live in SSM SecureString parameters. The functions get only the
# parameter names and read the values once per cold start. When the module creates the parameters it
# writes a placeholder through the write-only `value_wo`, so neither the placeholder nor the real value
# put in later (`aws ssm put-parameter --overwrite`) is ever stored in the Terraform state or plan; the
# constant `value_wo_version` keeps Terraform from writing the placeholder again.

locals {
  create_slack_bot_token      = var.slack_bot_token_parameter_name == null
  create_slack_signing_secret = var.slack_signing_secret_parameter_name == null

  slack_bot_token_parameter_name      = local.create_slack_bot_token ? aws_ssm_parameter.slack_bot_token[0].name : var.slack_bot_token_parameter_name
  slack_signing_secret_parameter_name = local.create_slack_signing_secret ? aws_ssm_parameter.slack_signing_secret[0].name : var.slack_signing_secret_parameter_name

  # GetParameter is authorised on the ARN, which drops the name's leading "/".
  slack_parameter_arn_prefix         = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/"
  slack_bot_token_parameter_arn      = local.create_slack_bot_token ? aws_ssm_parameter.slack_bot_token[0].arn : "${local.slack_parameter_arn_prefix}${trimprefix(var.slack_bot_token_parameter_name, "/")}"
  slack_signing_secret_parameter_arn = local.create_slack_signing_secret ? aws_ssm_parameter.slack_signing_secret[0].arn : "${local.slack_parameter_arn_prefix}${trimprefix(var.slack_signing_secret_parameter_name, "/")}"

  slack_parameter_placeholder = "placeholder: put the real value here with aws ssm put-parameter --overwrite"
}

resource "aws_ssm_parameter" "slack_bot_token" {
  count = local.create_slack_bot_token ? 1 : 0

  name             = "/${local.name}/slack-bot-token"
  description      = "Slack bot token (xoxb-...) of the jit-access app. Set out of band; never stored by Terraform."
  type             = "SecureString"
  key_id           = var.kms_key_arn
  value_wo         = local.slack_parameter_placeholder
  value_wo_version = 1
  tags             = var.tags
}

resource "aws_ssm_parameter" "slack_signing_secret" {
  count = local.create_slack_signing_secret ? 1 : 0

  name             = "/${local.name}/slack-signing-secret"
  description      = "Signing secret of the jit-access Slack app. Set out of band; never stored by Terraform."
  type             = "SecureString"
  key_id           = var.kms_key_arn
  value_wo         = local.slack_parameter_placeholder
  value_wo_version = 1
  tags             = var.tags
}
