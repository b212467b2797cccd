# access-revoker: invoked by the one-time revoke schedule of each grant and by the periodic reconcile rule
# (scheduler.tf). It never enqueues, schedules or verifies Slack requests, so it gets neither the queue,
# the scheduler role nor the signing secret: only the environment both functions share (defined below).

resource "aws_lambda_function" "revoker" {
  function_name = local.revoker_name
  description   = "jit-access: revokes grants at their end; reconciles grants past their end."
  role          = aws_iam_role.revoker.arn
  handler       = "jit_access.handlers.revoker.handler"
  runtime       = var.lambda_runtime
  architectures = [var.lambda_architecture]
  memory_size   = var.revoker_memory_size
  timeout       = var.revoker_timeout

  filename         = local.package_path
  source_code_hash = local.package_source_code_hash

  environment {
    variables = local.function_environment
  }

  tags = var.tags

  depends_on = [
    terraform_data.package,
    aws_cloudwatch_log_group.revoker,
    aws_iam_role_policy.revoker,
  ]
}

locals {
  # What both functions are told: names and ARNs only, never a secret (docs/architecture.md).
  function_environment = {
    JIT_ACCESS_CONFIG_BUCKET             = local.audit_bucket_name
    JIT_ACCESS_CONFIG_KEY                = aws_s3_object.config.key
    JIT_ACCESS_AUDIT_BUCKET              = local.audit_bucket_name
    JIT_ACCESS_SCHEDULE_GROUP            = aws_scheduler_schedule_group.revoke.name
    JIT_ACCESS_SSO_INSTANCE_ARN          = local.sso_instance_arn
    JIT_ACCESS_IDENTITY_STORE_ID         = local.identity_store_id
    JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER = local.slack_bot_token_parameter_name
    JIT_ACCESS_LOG_LEVEL                 = var.log_level
  }
}
