# Revocation has two independent paths. (1) The requester creates a one-time schedule per grant in this
# group, run as the scheduler role (iam.tf), which may only invoke the revoker. (2) A periodic rule runs
# the revoker's reconcile, which catches any grant past its end whose schedule did not revoke it.

resource "aws_scheduler_schedule_group" "revoke" {
  name = "${local.name}-revoke"
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "reconcile" {
  name                = "${local.name}-reconcile"
  description         = "Runs the jit-access reconcile: grants past their end are revoked (or reported, in warn mode)."
  schedule_expression = var.reconcile_schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "reconcile" {
  rule  = aws_cloudwatch_event_rule.reconcile.name
  arn   = aws_lambda_function.revoker.arn
  input = jsonencode({ action = "reconcile" })
}

resource "aws_lambda_permission" "reconcile" {
  statement_id  = "AllowReconcileFromEventBridge"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.revoker.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.reconcile.arn
}
