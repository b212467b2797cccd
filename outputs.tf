locals {
  slack_request_url = "${aws_apigatewayv2_api.slack.api_endpoint}/slack/events"
}

# ---------------------------------------------------------------------------------------------------------
# What to wire up next
# ---------------------------------------------------------------------------------------------------------

output "slack_request_url" {
  description = "URL Slack posts interactions to: the app's Interactivity Request URL and Options Load URL (already filled into slack_manifest)."
  value       = local.slack_request_url
}

output "slack_manifest" {
  description = "Slack app manifest (JSON) with the request URL filled in: paste it at api.slack.com/apps → Create New App → From a manifest. `terraform output -raw slack_manifest`."
  value       = templatefile("${path.module}/slack_manifest.json", { request_url = local.slack_request_url })
}

output "slack_bot_token_parameter_name" {
  description = "SSM SecureString parameter the functions read the Slack bot token from. Put the token in with `aws ssm put-parameter --overwrite --type SecureString --name <this> --value xoxb-...`."
  value       = local.slack_bot_token_parameter_name
}

output "slack_signing_secret_parameter_name" {
  description = "SSM SecureString parameter the requester reads the Slack signing secret from. Put the secret in with `aws ssm put-parameter --overwrite --type SecureString --name <this> --value ...`."
  value       = local.slack_signing_secret_parameter_name
}

output "audit_bucket_name" {
  description = "Bucket holding the audit trail (audit/), request message references (state/) and the config object; give it to `jit-access audit --bucket`."
  value       = local.audit_bucket_name
}

output "config_object_key" {
  description = "Key of the rendered config object in the audit bucket."
  value       = aws_s3_object.config.key
}

# ---------------------------------------------------------------------------------------------------------
# Functions, queue and schedules
# ---------------------------------------------------------------------------------------------------------

output "requester_function_name" {
  description = "Name of the access-requester function."
  value       = aws_lambda_function.requester.function_name
}

output "requester_function_arn" {
  description = "ARN of the access-requester function."
  value       = aws_lambda_function.requester.arn
}

output "requester_role_arn" {
  description = "ARN of the access-requester's execution role, e.g. for a KMS key policy or a permission boundary review."
  value       = aws_iam_role.requester.arn
}

output "revoker_function_name" {
  description = "Name of the access-revoker function."
  value       = aws_lambda_function.revoker.function_name
}

output "revoker_function_arn" {
  description = "ARN of the access-revoker function (the target of revoke schedules and of the reconcile rule)."
  value       = aws_lambda_function.revoker.arn
}

output "revoker_role_arn" {
  description = "ARN of the access-revoker's execution role."
  value       = aws_iam_role.revoker.arn
}

output "scheduler_role_arn" {
  description = "ARN of the role revoke schedules run as (it may only invoke the revoker)."
  value       = aws_iam_role.scheduler.arn
}

output "schedule_group_name" {
  description = "EventBridge Scheduler group holding one revoke schedule per active grant."
  value       = aws_scheduler_schedule_group.revoke.name
}

output "queue_url" {
  description = "URL of the FIFO work queue."
  value       = aws_sqs_queue.work.url
}

output "queue_arn" {
  description = "ARN of the FIFO work queue."
  value       = aws_sqs_queue.work.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue: work that failed every attempt waits here for a redrive."
  value       = aws_sqs_queue.dead_letter.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "sso_instance_arn" {
  description = "IAM Identity Center instance the functions assign permission sets in (given or discovered)."
  value       = local.sso_instance_arn
}

output "identity_store_id" {
  description = "Identity store the functions look users up in (given or discovered)."
  value       = local.identity_store_id
}

output "package_path" {
  description = "Deployment zip used by both functions: built during apply under .jit-access-build/, or lambda_package_path."
  value       = local.package_path
}
