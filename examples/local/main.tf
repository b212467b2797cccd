# The module as the local stack runs it (`jit-access local up`): the real module, applied against an
# embedded AWS (a moto server) and a Slack stand-in. Every service the module or the functions use is
# pointed at aws_endpoint_url.

provider "aws" {
  region     = var.aws_region
  access_key = "test"
  secret_key = "test"

  # No real AWS: no credential check, no instance metadata, any region name. The account id still comes
  # from STS, which the emulator answers.
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigatewayv2  = var.aws_endpoint_url
    cloudwatch    = var.aws_endpoint_url
    events        = var.aws_endpoint_url
    iam           = var.aws_endpoint_url
    identitystore = var.aws_endpoint_url
    kms           = var.aws_endpoint_url
    lambda        = var.aws_endpoint_url
    logs          = var.aws_endpoint_url
    organizations = var.aws_endpoint_url
    s3            = var.aws_endpoint_url
    scheduler     = var.aws_endpoint_url
    sns           = var.aws_endpoint_url
    sqs           = var.aws_endpoint_url
    ssm           = var.aws_endpoint_url
    ssoadmin      = var.aws_endpoint_url
    sts           = var.aws_endpoint_url
  }
}

module "jit_access" {
  source = "../.."

  name_prefix = var.name_prefix

  slack_team_id    = var.slack_team_id
  slack_channel_id = var.slack_channel_id
  slack_api_url    = var.slack_api_url

  rules                = var.rules
  group_rules          = var.group_rules
  account_names        = var.account_names
  default_max_duration = var.default_max_duration
  duration_choices     = var.duration_choices
  reconcile_mode       = var.reconcile_mode

  # The zip's binary wheels must load in the local Python that runs the handlers.
  lambda_runtime       = var.lambda_runtime
  lambda_architecture  = var.lambda_architecture
  lambda_package_path  = var.lambda_package_path
  package_build_python = var.package_build_python

  # The local stack drains the queue itself, like the Lambda event source would; the emulator must not.
  queue_event_source_mapping_enabled = false
  # The emulator (moto) treats any bucket policy condition as unmet, so the TLS-only deny would refuse
  # every object request; over plain HTTP on 127.0.0.1 there is no TLS to require anyway.
  create_audit_bucket_policy = false

  # Identity Center: left to the module's discovery (the emulator has one instance).
}
