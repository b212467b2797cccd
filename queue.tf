# The durable work queue: the HTTP path answers Slack at once and queues everything else here (message
# group = request id, deduplication id from the Slack payload). Failed work is retried, then kept in the
# dead-letter queue, and an alarm says so: nothing accepted from Slack is lost when a function fails.

locals {
  # Either SQS-managed encryption or the customer key: the two settings exclude each other.
  queue_sqs_managed_sse = var.kms_key_arn == null ? true : null
}

resource "aws_sqs_queue" "dead_letter" {
  name                        = "${local.name}-work-dlq.fifo"
  fifo_queue                  = true
  content_based_deduplication = false
  message_retention_seconds   = 1209600 # 14 days, the most SQS keeps a message: time to look and redrive
  sqs_managed_sse_enabled     = local.queue_sqs_managed_sse
  kms_master_key_id           = var.kms_key_arn
  tags                        = var.tags
}

resource "aws_sqs_queue" "work" {
  name                        = "${local.name}-work.fifo"
  fifo_queue                  = true
  content_based_deduplication = false
  # AWS's advice for a Lambda trigger: at least six times the function timeout, so a retried batch is not
  # delivered again while a throttled invocation still holds it.
  visibility_timeout_seconds = 6 * var.requester_timeout
  message_retention_seconds  = 345600 # 4 days
  sqs_managed_sse_enabled    = local.queue_sqs_managed_sse
  kms_master_key_id          = var.kms_key_arn
  tags                       = var.tags

  lifecycle {
    # Owned by aws_sqs_queue_redrive_policy.work below.
    ignore_changes = [redrive_policy]
  }
}

# A resource of its own rather than the queue's `redrive_policy` argument: it compares the policy as JSON,
# where the queue argument shows a change whenever SQS formats the same JSON differently.
resource "aws_sqs_queue_redrive_policy" "work" {
  queue_url = aws_sqs_queue.work.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.queue_max_receive_count
  })
}

resource "aws_lambda_event_source_mapping" "work" {
  event_source_arn = aws_sqs_queue.work.arn
  function_name    = aws_lambda_function.requester.arn
  enabled          = var.queue_event_source_mapping_enabled
  batch_size       = 10
  # The requester reports which messages failed; the others are not retried.
  function_response_types = ["ReportBatchItemFailures"]

  depends_on = [aws_iam_role_policy.requester]
}

resource "aws_cloudwatch_metric_alarm" "dead_letter" {
  alarm_name          = "${local.name}-work-dead-letter"
  alarm_description   = "Work from Slack failed ${var.queue_max_receive_count} times and is in ${aws_sqs_queue.dead_letter.name}: a request was not completed. Read the access-requester logs, fix, then redrive."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.dead_letter_alarm_actions
  tags                = var.tags
}
