# Values the mocked AWS provider returns in the *.tftest.hcl runs (`mock_provider "aws" { source = ... }`).
#
# The data sources answer like one organisation's Identity Center home region, so every ARN the module
# builds is a real-looking ARN. Resources get fixed computed attributes during plan (the runs set
# `override_during = plan`) so that expressions built from them (IAM statements, environment variables)
# are known and can be asserted on; tests that must tell two resources of one type apart override them
# one by one.

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "999999999999"
  }
}

mock_data "aws_ssoadmin_instances" {
  defaults = {
    arns               = ["arn:aws:sso:::instance/ssoins-1111222233334444"]
    identity_store_ids = ["d-1111222233"]
  }
}

# The real data source renders JSON locally; the mock would return a random string, which the provider
# then refuses as a role's trust policy. Tests assert on the data sources' `statement` blocks instead.
mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    id     = "jit-access-audit-20260101000000000000000001"
    bucket = "jit-access-audit-20260101000000000000000001"
    arn    = "arn:aws:s3:::jit-access-audit-20260101000000000000000001"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::999999999999:role/mocked-role"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-1:999999999999:function:mocked-function"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:999999999999:function:mocked-function/invocations"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-1:999999999999:mocked-queue.fifo"
    url = "https://sqs.eu-west-1.amazonaws.com/999999999999/mocked-queue.fifo"
  }
}

mock_resource "aws_ssm_parameter" {
  defaults = {
    arn = "arn:aws:ssm:eu-west-1:999999999999:parameter/mocked-parameter"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:999999999999:log-group:mocked"
  }
}

mock_resource "aws_scheduler_schedule_group" {
  defaults = {
    arn = "arn:aws:scheduler:eu-west-1:999999999999:schedule-group/jit-access-revoke"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:eu-west-1:999999999999:rule/jit-access-reconcile"
  }
}

mock_resource "aws_apigatewayv2_api" {
  defaults = {
    id            = "abc123defg"
    api_endpoint  = "https://abc123defg.execute-api.eu-west-1.amazonaws.com"
    execution_arn = "arn:aws:execute-api:eu-west-1:999999999999:abc123defg"
  }
}
