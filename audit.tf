# The audit bucket: every event of every request is a create-only JSON object under audit/, the Slack
# message of each request under state/, and the rendered config under config/. Versioned, encrypted,
# never public, TLS only, and under Object Lock so that no one can quietly rewrite the trail.
# With audit_bucket_name set, the module uses that bucket and creates none of this.

locals {
  create_audit_bucket = var.audit_bucket_name == null
  audit_bucket_name   = local.create_audit_bucket ? aws_s3_bucket.audit[0].id : var.audit_bucket_name
  audit_bucket_arn    = "arn:${local.partition}:s3:::${local.audit_bucket_name}"
}

resource "aws_s3_bucket" "audit" {
  count = local.create_audit_bucket ? 1 : 0

  bucket_prefix = "${local.name}-audit-"
  # Object Lock can only be switched on when a bucket is created.
  object_lock_enabled = true
  tags                = var.tags
}

resource "aws_s3_bucket_ownership_controls" "audit" {
  count = local.create_audit_bucket ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "audit" {
  count = local.create_audit_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.audit[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "audit" {
  count = local.create_audit_bucket ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit" {
  count = local.create_audit_bucket ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_object_lock_configuration" "audit" {
  count = local.create_audit_bucket ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    default_retention {
      mode = var.audit_object_lock_mode
      days = var.audit_object_lock_retention_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.audit]
}

data "aws_iam_policy_document" "audit_bucket" {
  count = local.create_audit_bucket && var.create_audit_bucket_policy ? 1 : 0

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.audit[0].arn,
      "${aws_s3_bucket.audit[0].arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "audit" {
  count = local.create_audit_bucket && var.create_audit_bucket_policy ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  policy = data.aws_iam_policy_document.audit_bucket[0].json

  # S3 refuses a bucket policy while the public access block is being changed.
  depends_on = [aws_s3_bucket_public_access_block.audit]
}
