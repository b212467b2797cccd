# Every output of the module, plus where the emulator is: the local stack reads these.

output "slack_request_url" {
  description = "The module's slack_request_url output."
  value       = module.jit_access.slack_request_url
}

output "slack_manifest" {
  description = "The module's slack_manifest output."
  value       = module.jit_access.slack_manifest
}

output "slack_bot_token_parameter_name" {
  description = "The module's slack_bot_token_parameter_name output."
  value       = module.jit_access.slack_bot_token_parameter_name
}

output "slack_signing_secret_parameter_name" {
  description = "The module's slack_signing_secret_parameter_name output."
  value       = module.jit_access.slack_signing_secret_parameter_name
}

output "audit_bucket_name" {
  description = "The module's audit_bucket_name output."
  value       = module.jit_access.audit_bucket_name
}

output "config_object_key" {
  description = "The module's config_object_key output."
  value       = module.jit_access.config_object_key
}

output "requester_function_name" {
  description = "The module's requester_function_name output."
  value       = module.jit_access.requester_function_name
}

output "requester_function_arn" {
  description = "The module's requester_function_arn output."
  value       = module.jit_access.requester_function_arn
}

output "requester_role_arn" {
  description = "The module's requester_role_arn output."
  value       = module.jit_access.requester_role_arn
}

output "revoker_function_name" {
  description = "The module's revoker_function_name output."
  value       = module.jit_access.revoker_function_name
}

output "revoker_function_arn" {
  description = "The module's revoker_function_arn output."
  value       = module.jit_access.revoker_function_arn
}

output "revoker_role_arn" {
  description = "The module's revoker_role_arn output."
  value       = module.jit_access.revoker_role_arn
}

output "scheduler_role_arn" {
  description = "The module's scheduler_role_arn output."
  value       = module.jit_access.scheduler_role_arn
}

output "schedule_group_name" {
  description = "The module's schedule_group_name output."
  value       = module.jit_access.schedule_group_name
}

output "queue_url" {
  description = "The module's queue_url output."
  value       = module.jit_access.queue_url
}

output "queue_arn" {
  description = "The module's queue_arn output."
  value       = module.jit_access.queue_arn
}

output "dead_letter_queue_url" {
  description = "The module's dead_letter_queue_url output."
  value       = module.jit_access.dead_letter_queue_url
}

output "dead_letter_queue_arn" {
  description = "The module's dead_letter_queue_arn output."
  value       = module.jit_access.dead_letter_queue_arn
}

output "sso_instance_arn" {
  description = "The module's sso_instance_arn output."
  value       = module.jit_access.sso_instance_arn
}

output "identity_store_id" {
  description = "The module's identity_store_id output."
  value       = module.jit_access.identity_store_id
}

output "package_path" {
  description = "The module's package_path output."
  value       = module.jit_access.package_path
}

output "aws_endpoint_url" {
  description = "The emulator the resources live in (for the local stack's clients)."
  value       = var.aws_endpoint_url
}

output "aws_region" {
  description = "Region of the emulated resources."
  value       = var.aws_region
}
