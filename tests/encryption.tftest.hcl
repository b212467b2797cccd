# Encryption at rest: provider-managed keys by default; with kms_key_arn, the customer key everywhere the
# module stores data, and decrypt / generate-data-key on it (and on nothing else) for the functions.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  slack_team_id    = "T0123ABCD"
  slack_channel_id = "C0123ABCD"
  rules = [
    {
      accounts        = ["111111111111"]
      permission_sets = ["ReadOnlyAccess"]
      approvers       = ["carol@example.com"]
    },
  ]
}

run "provider_managed_keys_by_default" {
  command = plan

  assert {
    condition = (
      aws_sqs_queue.work.sqs_managed_sse_enabled == true && aws_sqs_queue.work.kms_master_key_id == null &&
      aws_sqs_queue.dead_letter.sqs_managed_sse_enabled == true && aws_sqs_queue.dead_letter.kms_master_key_id == null
    )
    error_message = "Without kms_key_arn both queues must use SQS-managed encryption."
  }

  assert {
    condition = !anytrue([
      for s in concat(data.aws_iam_policy_document.requester.statement, data.aws_iam_policy_document.revoker.statement) :
      s.sid == "Kms"
    ])
    error_message = "Without kms_key_arn the functions must get no KMS permission."
  }
}

run "customer_managed_key_everywhere" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.audit[0].rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.audit[0].rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn &&
      one(aws_s3_bucket_server_side_encryption_configuration.audit[0].rule).bucket_key_enabled == true
    )
    error_message = "With kms_key_arn the audit bucket must default to SSE-KMS with that key and a bucket key."
  }

  assert {
    condition = (
      aws_sqs_queue.work.kms_master_key_id == var.kms_key_arn &&
      aws_sqs_queue.dead_letter.kms_master_key_id == var.kms_key_arn
    )
    error_message = "With kms_key_arn both queues must be encrypted with that key."
  }

  assert {
    condition = (
      aws_ssm_parameter.slack_bot_token[0].key_id == var.kms_key_arn &&
      aws_ssm_parameter.slack_signing_secret[0].key_id == var.kms_key_arn
    )
    error_message = "With kms_key_arn the Slack parameters must be encrypted with that key."
  }

  assert {
    condition = alltrue([
      for policy in [data.aws_iam_policy_document.requester, data.aws_iam_policy_document.revoker] :
      one([
        for s in policy.statement : s.actions == toset(["kms:Decrypt", "kms:GenerateDataKey"]) && s.resources == toset([var.kms_key_arn])
        if s.sid == "Kms"
      ])
    ])
    error_message = "Both functions must get kms:Decrypt and kms:GenerateDataKey on the given key and no other."
  }
}
