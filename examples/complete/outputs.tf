# What to do after `terraform apply`: the Slack app and the two secrets, then hand the bucket to auditors.

output "slack_manifest" {
  description = "Create the Slack app from this manifest (api.slack.com/apps → From a manifest)."
  value       = module.jit_access.slack_manifest
}

output "slack_bot_token_parameter_name" {
  description = "Put the bot token here: aws ssm put-parameter --overwrite --type SecureString --name <this> --value xoxb-..."
  value       = module.jit_access.slack_bot_token_parameter_name
}

output "slack_signing_secret_parameter_name" {
  description = "Put the app's signing secret here, the same way."
  value       = module.jit_access.slack_signing_secret_parameter_name
}

output "audit_bucket_name" {
  description = "The audit trail: `jit-access audit sessions --bucket <this> --since 30d`."
  value       = module.jit_access.audit_bucket_name
}

output "dead_letter_queue_url" {
  description = "Work that failed every attempt waits here for a redrive."
  value       = module.jit_access.dead_letter_queue_url
}
