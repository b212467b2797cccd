variable "aws_endpoint_url" {
  description = "URL of the AWS emulator every service is pointed at, e.g. \"http://127.0.0.1:5055\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^https?://[^/]+/?$", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must be an http(s) URL of the emulator, e.g. \"http://127.0.0.1:5055\"."
  }
}

variable "aws_region" {
  description = "Region the emulated resources are made in."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "name_prefix" {
  description = "Passed to the module's name_prefix."
  type        = string
  default     = ""
  nullable    = false
}

variable "slack_team_id" {
  description = "Workspace id the Slack stand-in signs requests for."
  type        = string
  default     = "T0LOCAL00"
  nullable    = false
}

variable "slack_channel_id" {
  description = "Approvers' channel in the Slack stand-in."
  type        = string
  default     = "C0LOCAL00"
  nullable    = false
}

variable "slack_api_url" {
  description = "Base URL of the Slack stand-in's Web API (ends in /)."
  type        = string
  default     = "http://127.0.0.1:5056/api/"
  nullable    = false
}

variable "rules" {
  description = "Access rules, as the module's `rules` variable."
  type = list(object({
    id                    = optional(string, "")
    accounts              = list(string)
    exclude_accounts      = optional(list(string), [])
    permission_sets       = list(string)
    approvers             = optional(list(string), [])
    required_approvals    = optional(number, 1)
    allow_self_approval   = optional(bool)
    approval_not_required = optional(bool)
    max_duration          = optional(string)
    reason_min_length     = optional(number)
    ticket_pattern        = optional(string)
  }))
  default = [
    {
      id              = "local-any"
      accounts        = ["*"]
      permission_sets = ["*"]
      approvers       = ["approver@example.com"]
    },
  ]
  nullable = false
}

variable "group_rules" {
  description = "Group rules, as the module's `group_rules` variable."
  type = list(object({
    id                    = optional(string, "")
    groups                = list(string)
    approvers             = optional(list(string), [])
    required_approvals    = optional(number, 1)
    allow_self_approval   = optional(bool)
    approval_not_required = optional(bool)
    max_duration          = optional(string)
    reason_min_length     = optional(number)
    ticket_pattern        = optional(string)
  }))
  default  = []
  nullable = false
}

variable "account_names" {
  description = "Friendly account names, as the module's `account_names`."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "default_max_duration" {
  description = "As the module's `default_max_duration`."
  type        = string
  default     = "8h"
  nullable    = false
}

variable "duration_choices" {
  description = "As the module's `duration_choices`."
  type        = list(string)
  default     = ["30m", "1h", "2h", "4h", "8h"]
  nullable    = false
}

variable "reconcile_mode" {
  description = "As the module's `reconcile_mode`; the local stack uses \"enforce\" to show the reconcile revoking."
  type        = string
  default     = "enforce"
  nullable    = false
}

variable "lambda_runtime" {
  description = "Python of the machine that runs the handlers locally, as a Lambda runtime name (e.g. \"python3.11\"), so the zip's binary wheels load there."
  type        = string
  default     = "python3.11"
  nullable    = false
}

variable "lambda_architecture" {
  description = "Architecture of the machine that runs the handlers locally: \"x86_64\" or \"arm64\"."
  type        = string
  default     = "x86_64"
  nullable    = false
}

variable "lambda_package_path" {
  description = "A prebuilt zip to use instead of building one during apply (null: build)."
  type        = string
  default     = null
}

variable "package_build_python" {
  description = "Python with pip that builds the zip, e.g. the virtualenv's python running the local stack."
  type        = string
  default     = "python3"
  nullable    = false
}
