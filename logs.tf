# Log groups are made here, before the functions and the API stage, so that retention applies from the
# first line logged and the functions need no permission to create log groups.

resource "aws_cloudwatch_log_group" "requester" {
  name              = "/aws/lambda/${local.requester_name}"
  retention_in_days = var.log_retention_in_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "revoker" {
  name              = "/aws/lambda/${local.revoker_name}"
  retention_in_days = var.log_retention_in_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${local.name}"
  retention_in_days = var.log_retention_in_days
  tags              = var.tags
}
