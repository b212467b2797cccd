# access-requester: answers Slack at once (API Gateway events) and does the work from the queue
# (decide, grant, schedule the revoke, audit). Environment: names and ARNs only (docs/architecture.md).

resource "aws_lambda_function" "requester" {
  function_name = local.requester_name
  description   = "jit-access: Slack requests and approvals, grants, revoke schedules, audit trail."
  role          = aws_iam_role.requester.arn
  handler       = "jit_access.handlers.requester.handler"
  runtime       = var.lambda_runtime
  architectures = [var.lambda_architecture]
  memory_size   = var.requester_memory_size
  timeout       = var.requester_timeout

  filename         = local.package_path
  source_code_hash = local.package_source_code_hash

  environment {
    variables = merge(local.function_environment, {
      JIT_ACCESS_QUEUE_URL                      = aws_sqs_queue.work.url
      JIT_ACCESS_SCHEDULER_ROLE_ARN             = aws_iam_role.scheduler.arn
      JIT_ACCESS_REVOKER_ARN                    = aws_lambda_function.revoker.arn
      JIT_ACCESS_SLACK_SIGNING_SECRET_PARAMETER = local.slack_signing_secret_parameter_name
    })
  }

  tags = var.tags

  depends_on = [
    terraform_data.package,
    aws_cloudwatch_log_group.requester,
    aws_iam_role_policy.requester,
  ]
}
