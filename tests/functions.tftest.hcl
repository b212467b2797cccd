# The two functions and what drives them: the Slack endpoint, the work queue, the reconcile rule, the log
# groups and the package. Plan only, against the mocked provider in tests/mocks.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

# Distinct ARNs where one resource could be wired in place of another of the same type.
override_resource {
  target          = aws_lambda_function.requester
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:999999999999:function:access-requester"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:999999999999:function:access-requester/invocations"
  }
}

override_resource {
  target          = aws_lambda_function.revoker
  override_during = plan
  values = {
    arn = "arn:aws:lambda:eu-west-1:999999999999:function:access-revoker"
  }
}

override_resource {
  target          = aws_iam_role.scheduler
  override_during = plan
  values = {
    arn = "arn:aws:iam::999999999999:role/jit-access-scheduler"
  }
}

override_resource {
  target          = aws_sqs_queue.work
  override_during = plan
  values = {
    id  = "https://sqs.eu-west-1.amazonaws.com/999999999999/jit-access-work.fifo"
    arn = "arn:aws:sqs:eu-west-1:999999999999:jit-access-work.fifo"
    url = "https://sqs.eu-west-1.amazonaws.com/999999999999/jit-access-work.fifo"
  }
}

override_resource {
  target          = aws_sqs_queue.dead_letter
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:999999999999:jit-access-work-dlq.fifo"
    url = "https://sqs.eu-west-1.amazonaws.com/999999999999/jit-access-work-dlq.fifo"
  }
}

override_resource {
  target          = aws_cloudwatch_log_group.api
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:999999999999:log-group:/aws/apigateway/jit-access"
  }
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

run "requester_environment_is_names_and_arns_only" {
  command = plan

  # Exactly the variables of docs/architecture.md: a secret value added under any other name fails here.
  assert {
    condition = keys(aws_lambda_function.requester.environment[0].variables) == sort([
      "JIT_ACCESS_AUDIT_BUCKET",
      "JIT_ACCESS_CONFIG_BUCKET",
      "JIT_ACCESS_CONFIG_KEY",
      "JIT_ACCESS_IDENTITY_STORE_ID",
      "JIT_ACCESS_LOG_LEVEL",
      "JIT_ACCESS_QUEUE_URL",
      "JIT_ACCESS_REVOKER_ARN",
      "JIT_ACCESS_SCHEDULER_ROLE_ARN",
      "JIT_ACCESS_SCHEDULE_GROUP",
      "JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER",
      "JIT_ACCESS_SLACK_SIGNING_SECRET_PARAMETER",
      "JIT_ACCESS_SSO_INSTANCE_ARN",
    ])
    error_message = "The requester's environment must hold exactly the variables listed in docs/architecture.md."
  }

  assert {
    condition = (
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER"] == "/jit-access/slack-bot-token" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_SLACK_SIGNING_SECRET_PARAMETER"] == "/jit-access/slack-signing-secret"
    )
    error_message = "The requester must get the SSM parameter names of the Slack secrets, not their values."
  }

  assert {
    condition = alltrue([
      for value in values(aws_lambda_function.requester.environment[0].variables) : !strcontains(value, local.slack_parameter_placeholder)
    ])
    error_message = "No environment value may carry the content of a Slack secret parameter."
  }

  assert {
    condition = (
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/999999999999/jit-access-work.fifo" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_SCHEDULER_ROLE_ARN"] == "arn:aws:iam::999999999999:role/jit-access-scheduler" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_REVOKER_ARN"] == "arn:aws:lambda:eu-west-1:999999999999:function:access-revoker" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_SCHEDULE_GROUP"] == "jit-access-revoke"
    )
    error_message = "The requester must be wired to the work queue (not the dead-letter queue), the scheduler role, the revoker and the revoke schedule group."
  }

  assert {
    condition = (
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_CONFIG_KEY"] == "config/config.json" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_CONFIG_BUCKET"] == aws_s3_bucket.audit[0].id &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_AUDIT_BUCKET"] == aws_s3_bucket.audit[0].id
    )
    error_message = "The requester must read the config object config/config.json from the audit bucket the module creates."
  }

  assert {
    condition = (
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_SSO_INSTANCE_ARN"] == "arn:aws:sso:::instance/ssoins-1111222233334444" &&
      aws_lambda_function.requester.environment[0].variables["JIT_ACCESS_IDENTITY_STORE_ID"] == "d-1111222233"
    )
    error_message = "With sso_instance_arn unset, the requester must get the discovered Identity Center instance and identity store."
  }
}

run "revoker_environment_has_no_queue_scheduler_role_or_signing_secret" {
  command = plan

  assert {
    condition = keys(aws_lambda_function.revoker.environment[0].variables) == sort([
      "JIT_ACCESS_AUDIT_BUCKET",
      "JIT_ACCESS_CONFIG_BUCKET",
      "JIT_ACCESS_CONFIG_KEY",
      "JIT_ACCESS_IDENTITY_STORE_ID",
      "JIT_ACCESS_LOG_LEVEL",
      "JIT_ACCESS_SCHEDULE_GROUP",
      "JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER",
      "JIT_ACCESS_SSO_INSTANCE_ARN",
    ])
    error_message = "The revoker's environment must hold exactly its variables of docs/architecture.md: no queue, scheduler role, revoker ARN or signing secret."
  }

  assert {
    condition     = aws_lambda_function.revoker.environment[0].variables["JIT_ACCESS_SLACK_BOT_TOKEN_PARAMETER"] == "/jit-access/slack-bot-token"
    error_message = "The revoker must get the bot token's parameter name."
  }
}

run "given_identity_center_instance_is_used_without_discovery" {
  command = plan

  variables {
    sso_instance_arn  = "arn:aws:sso:::instance/ssoins-aaaabbbbccccdddd"
    identity_store_id = "d-aaaabbbbcc"
  }

  assert {
    condition     = length(data.aws_ssoadmin_instances.this) == 0
    error_message = "With sso_instance_arn and identity_store_id set, the module must not look the instance up."
  }

  assert {
    condition = (
      aws_lambda_function.revoker.environment[0].variables["JIT_ACCESS_SSO_INSTANCE_ARN"] == "arn:aws:sso:::instance/ssoins-aaaabbbbccccdddd" &&
      aws_lambda_function.revoker.environment[0].variables["JIT_ACCESS_IDENTITY_STORE_ID"] == "d-aaaabbbbcc" &&
      output.sso_instance_arn == "arn:aws:sso:::instance/ssoins-aaaabbbbccccdddd"
    )
    error_message = "The given Identity Center instance and identity store must reach the functions and the outputs."
  }
}

run "functions_default_to_python_313_on_arm64" {
  command = plan

  assert {
    condition = (
      aws_lambda_function.requester.function_name == "access-requester" &&
      aws_lambda_function.revoker.function_name == "access-revoker" &&
      aws_lambda_function.requester.handler == "jit_access.handlers.requester.handler" &&
      aws_lambda_function.revoker.handler == "jit_access.handlers.revoker.handler"
    )
    error_message = "The functions must be access-requester and access-revoker with the handlers of docs/architecture.md."
  }

  assert {
    condition = alltrue([
      for fn in [aws_lambda_function.requester, aws_lambda_function.revoker] :
      fn.runtime == "python3.13" && fn.architectures == tolist(["arm64"])
    ])
    error_message = "Both functions must default to python3.13 on arm64."
  }

  assert {
    condition = (
      aws_lambda_function.requester.memory_size == 512 && aws_lambda_function.requester.timeout == 60 &&
      aws_lambda_function.revoker.memory_size == 256 && aws_lambda_function.revoker.timeout == 300
    )
    error_message = "Memory and timeouts must follow the variables' defaults."
  }
}

run "name_prefix_separates_two_installations" {
  command = plan

  variables {
    name_prefix = "staging-"
  }

  assert {
    condition = (
      aws_lambda_function.requester.function_name == "staging-access-requester" &&
      aws_lambda_function.revoker.function_name == "staging-access-revoker" &&
      aws_iam_role.requester.name == "staging-access-requester" &&
      aws_iam_role.revoker.name == "staging-access-revoker" &&
      aws_iam_role.scheduler.name == "staging-jit-access-scheduler" &&
      aws_sqs_queue.work.name == "staging-jit-access-work.fifo" &&
      aws_sqs_queue.dead_letter.name == "staging-jit-access-work-dlq.fifo" &&
      aws_scheduler_schedule_group.revoke.name == "staging-jit-access-revoke" &&
      aws_cloudwatch_event_rule.reconcile.name == "staging-jit-access-reconcile" &&
      aws_apigatewayv2_api.slack.name == "staging-jit-access" &&
      aws_s3_bucket.audit[0].bucket_prefix == "staging-jit-access-audit-" &&
      aws_ssm_parameter.slack_bot_token[0].name == "/staging-jit-access/slack-bot-token" &&
      aws_cloudwatch_log_group.requester.name == "/aws/lambda/staging-access-requester"
    )
    error_message = "Every account-unique name must carry name_prefix, so two installations can share an account and region."
  }
}

run "slack_posts_to_one_route_through_api_gateway" {
  command = plan

  assert {
    condition = (
      aws_apigatewayv2_api.slack.protocol_type == "HTTP" &&
      aws_apigatewayv2_route.slack_events.route_key == "POST /slack/events" &&
      aws_apigatewayv2_integration.requester.integration_type == "AWS_PROXY" &&
      aws_apigatewayv2_integration.requester.payload_format_version == "2.0" &&
      aws_apigatewayv2_integration.requester.integration_uri == aws_lambda_function.requester.invoke_arn
    )
    error_message = "Slack must reach the requester through one HTTP API route, POST /slack/events, with payload format 2.0."
  }

  assert {
    condition = (
      aws_lambda_permission.api.principal == "apigateway.amazonaws.com" &&
      aws_lambda_permission.api.function_name == "access-requester" &&
      aws_lambda_permission.api.source_arn == "arn:aws:execute-api:eu-west-1:999999999999:abc123defg/*/POST/slack/events"
    )
    error_message = "API Gateway may invoke the requester only for POST /slack/events of this API."
  }

  # No resource can be referenced that is not declared, so this reads the module's sources: a function URL
  # would be a second, unthrottled, unlogged way in.
  assert {
    condition = alltrue([
      for f in fileset(path.module, "*.tf") : !strcontains(file("${path.module}/${f}"), "aws_lambda_function_url")
    ])
    error_message = "The functions must have no function URL: API Gateway is the only way in."
  }

  assert {
    condition     = output.slack_request_url == "https://abc123defg.execute-api.eu-west-1.amazonaws.com/slack/events"
    error_message = "slack_request_url must be the API's endpoint followed by /slack/events."
  }

  assert {
    condition     = jsondecode(output.slack_manifest).settings.interactivity.request_url == output.slack_request_url
    error_message = "The Slack manifest must carry the request URL as the interactivity request URL."
  }
}

run "slack_endpoint_is_throttled_and_access_logged_without_payloads" {
  command = plan

  variables {
    api_throttling_burst_limit = 10
    api_throttling_rate_limit  = 5
  }

  assert {
    condition = (
      aws_apigatewayv2_stage.default.default_route_settings[0].throttling_burst_limit == 10 &&
      aws_apigatewayv2_stage.default.default_route_settings[0].throttling_rate_limit == 5
    )
    error_message = "The stage must apply api_throttling_burst_limit and api_throttling_rate_limit."
  }

  assert {
    condition     = aws_apigatewayv2_stage.default.access_log_settings[0].destination_arn == "arn:aws:logs:eu-west-1:999999999999:log-group:/aws/apigateway/jit-access"
    error_message = "Access logs must go to the API's log group (which has retention)."
  }

  assert {
    condition = alltrue([
      for value in values(jsondecode(aws_apigatewayv2_stage.default.access_log_settings[0].format)) :
      !can(regex("(?i)body|header|authorization", value))
    ])
    error_message = "Access logs must not record request bodies or headers: Slack payloads carry user data and signatures."
  }
}

run "work_queue_is_fifo_with_a_dead_letter_queue" {
  command = plan

  variables {
    requester_timeout         = 90
    queue_max_receive_count   = 3
    dead_letter_alarm_actions = ["arn:aws:sns:eu-west-1:999999999999:oncall"]
  }

  assert {
    condition = (
      aws_sqs_queue.work.fifo_queue == true && aws_sqs_queue.dead_letter.fifo_queue == true &&
      aws_sqs_queue.work.content_based_deduplication == false
    )
    error_message = "The work queue and its dead-letter queue must be FIFO, with deduplication ids set by the requester."
  }

  assert {
    condition = jsondecode(aws_sqs_queue_redrive_policy.work.redrive_policy) == {
      deadLetterTargetArn = "arn:aws:sqs:eu-west-1:999999999999:jit-access-work-dlq.fifo"
      maxReceiveCount     = 3
    }
    error_message = "After queue_max_receive_count failed attempts, work must move to the dead-letter queue."
  }

  assert {
    condition     = aws_sqs_queue_redrive_policy.work.queue_url == "https://sqs.eu-west-1.amazonaws.com/999999999999/jit-access-work.fifo"
    error_message = "The redrive policy must be on the work queue."
  }

  assert {
    condition     = aws_sqs_queue.work.visibility_timeout_seconds == 540
    error_message = "The work queue's visibility timeout must be six times the requester's timeout."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dead_letter.dimensions == tomap({ QueueName = "jit-access-work-dlq.fifo" }) &&
      aws_cloudwatch_metric_alarm.dead_letter.threshold == 0 &&
      aws_cloudwatch_metric_alarm.dead_letter.comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.dead_letter.alarm_actions == toset(["arn:aws:sns:eu-west-1:999999999999:oncall"])
    )
    error_message = "One message in the dead-letter queue must raise the alarm and notify dead_letter_alarm_actions."
  }
}

run "queue_triggers_the_requester_with_partial_batch_failures" {
  command = plan

  assert {
    condition = (
      aws_lambda_event_source_mapping.work.event_source_arn == "arn:aws:sqs:eu-west-1:999999999999:jit-access-work.fifo" &&
      aws_lambda_event_source_mapping.work.function_name == "arn:aws:lambda:eu-west-1:999999999999:function:access-requester" &&
      aws_lambda_event_source_mapping.work.enabled == true
    )
    error_message = "The work queue must trigger the requester."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.work.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The trigger must report batch item failures, so one failed message does not redeliver the whole batch."
  }
}

run "queue_trigger_can_be_left_to_the_local_stack" {
  command = plan

  variables {
    queue_event_source_mapping_enabled = false
  }

  assert {
    condition     = aws_lambda_event_source_mapping.work.enabled == false
    error_message = "queue_event_source_mapping_enabled = false must disable the queue trigger."
  }
}

run "revocation_has_a_periodic_reconcile" {
  command = plan

  assert {
    condition = (
      aws_cloudwatch_event_rule.reconcile.schedule_expression == "rate(15 minutes)" &&
      aws_cloudwatch_event_target.reconcile.arn == "arn:aws:lambda:eu-west-1:999999999999:function:access-revoker" &&
      jsondecode(aws_cloudwatch_event_target.reconcile.input) == { action = "reconcile" }
    )
    error_message = "Every 15 minutes by default the revoker must be invoked with {\"action\": \"reconcile\"}."
  }

  assert {
    condition = (
      aws_lambda_permission.reconcile.function_name == "access-revoker" &&
      aws_lambda_permission.reconcile.principal == "events.amazonaws.com" &&
      aws_lambda_permission.reconcile.source_arn == "arn:aws:events:eu-west-1:999999999999:rule/jit-access-reconcile"
    )
    error_message = "Only the reconcile rule may invoke the revoker through EventBridge."
  }
}

run "log_groups_exist_with_retention" {
  command = plan

  variables {
    log_retention_in_days = 30
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.requester.name == "/aws/lambda/access-requester" &&
      aws_cloudwatch_log_group.revoker.name == "/aws/lambda/access-revoker" &&
      aws_cloudwatch_log_group.api.name == "/aws/apigateway/jit-access"
    )
    error_message = "The module must create the functions' log groups itself (under Lambda's names), and the API's."
  }

  assert {
    condition = alltrue([
      for group in [aws_cloudwatch_log_group.requester, aws_cloudwatch_log_group.revoker, aws_cloudwatch_log_group.api] :
      group.retention_in_days == 30
    ])
    error_message = "Every log group must keep logs for log_retention_in_days."
  }
}

run "package_is_built_during_apply_from_the_sources" {
  command = plan

  assert {
    condition     = length(terraform_data.package) == 1
    error_message = "Without lambda_package_path the package must be built during apply."
  }

  assert {
    condition = (
      aws_lambda_function.requester.filename == aws_lambda_function.revoker.filename &&
      aws_lambda_function.requester.source_code_hash == aws_lambda_function.revoker.source_code_hash &&
      can(regex("/\\.jit-access-build/[0-9a-f]{24}\\.zip$", aws_lambda_function.requester.filename))
    )
    error_message = "Both functions must deploy the one zip, named by the hash of its sources."
  }

  assert {
    condition = (
      contains(local.package_files, "handlers/requester.py") &&
      !anytrue([for f in local.package_files : startswith(f, "local/") || strcontains(f, "__pycache__")])
    )
    error_message = "The package must hold the handlers and leave out the local stack and bytecode."
  }
}

run "another_runtime_builds_another_package" {
  command = plan

  variables {
    lambda_runtime      = "python3.12"
    lambda_architecture = "x86_64"
  }

  assert {
    condition     = output.package_path != run.package_is_built_during_apply_from_the_sources.package_path
    error_message = "Changing the runtime or architecture must change the package (its wheels differ)."
  }

  assert {
    condition     = aws_lambda_function.requester.runtime == "python3.12" && aws_lambda_function.requester.architectures == tolist(["x86_64"])
    error_message = "lambda_runtime and lambda_architecture must reach the functions."
  }
}
