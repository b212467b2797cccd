terraform {
  # 1.11: write-only arguments (the Slack secret placeholders never reach the state, see secrets.tf).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.51: `source_code_hash` is kept as configured instead of being re-read from Lambda (package.tf).
      # 5.87: `value_wo` on aws_ssm_parameter. Tested with 5.100; 6.x renames attributes used here.
      version = ">= 5.87, < 6.0"
    }
  }
}
