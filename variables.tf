# ---------------------------------------------------------------------------------------------------------
# Naming
# ---------------------------------------------------------------------------------------------------------

variable "name_prefix" {
  description = "Prepended to the name of every resource (functions become `<prefix>access-requester`, `<prefix>access-revoker`). Set it to run two installations in one account and region, e.g. \"staging-\"."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = can(regex("^([a-z0-9][a-z0-9-]{0,19})?$", var.name_prefix))
    error_message = "name_prefix must be empty or up to 20 lower-case letters, digits and hyphens, starting with a letter or digit (it is used in S3 bucket names), e.g. \"staging-\"."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags. Provider `default_tags` still apply on top."
  type        = map(string)
  default     = {}
  nullable    = false
}

# ---------------------------------------------------------------------------------------------------------
# Slack
# ---------------------------------------------------------------------------------------------------------

variable "slack_team_id" {
  description = "Id of the Slack workspace (team) allowed to send requests, e.g. \"T0123ABCD\". Requests signed for any other workspace are refused."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Z0-9]{2,32}$", var.slack_team_id))
    error_message = "slack_team_id must be a Slack id of upper-case letters and digits, e.g. \"T0123ABCD\" (Slack: workspace settings, or the team_id of any request)."
  }
}

variable "slack_channel_id" {
  description = "Id of the Slack channel where requests are posted and approvers press Approve / Deny, e.g. \"C0123ABCD\". Invite the app's bot to it."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Z0-9]{2,32}$", var.slack_channel_id))
    error_message = "slack_channel_id must be a Slack channel id of upper-case letters and digits, e.g. \"C0123ABCD\" (channel details, bottom of the About tab); a channel name such as #access will not do."
  }
}

variable "slack_api_url" {
  description = "Base URL of the Slack Web API. Change it only to point the Lambdas at a Slack stand-in (the local stack does)."
  type        = string
  default     = "https://slack.com/api/"
  nullable    = false

  validation {
    condition     = can(regex("^https?://[^/]+(/.*)?/$", var.slack_api_url))
    error_message = "slack_api_url must be an http(s) URL ending in \"/\", e.g. \"https://slack.com/api/\"."
  }
}

variable "slack_bot_token_parameter_name" {
  description = "Name of an existing SSM SecureString parameter holding the Slack bot token (xoxb-...). Null: the module creates `/<name_prefix>jit-access/slack-bot-token` with a placeholder, and you put the real token in with `aws ssm put-parameter --overwrite`."
  type        = string
  default     = null

  validation {
    # RE2 allows at most 1000 repetitions, so the length limit is a separate test.
    condition     = var.slack_bot_token_parameter_name == null || (can(regex("^/?[A-Za-z0-9_.\\-/]+$", var.slack_bot_token_parameter_name)) && length(coalesce(var.slack_bot_token_parameter_name, "-")) <= 1011)
    error_message = "slack_bot_token_parameter_name must be an SSM parameter name (letters, digits, _ . - /), e.g. \"/slack/jit-access/bot-token\"; not an ARN."
  }
}

variable "slack_signing_secret_parameter_name" {
  description = "Name of an existing SSM SecureString parameter holding the Slack app's signing secret. Null: the module creates `/<name_prefix>jit-access/slack-signing-secret` with a placeholder, and you put the real secret in with `aws ssm put-parameter --overwrite`."
  type        = string
  default     = null

  validation {
    # RE2 allows at most 1000 repetitions, so the length limit is a separate test.
    condition     = var.slack_signing_secret_parameter_name == null || (can(regex("^/?[A-Za-z0-9_.\\-/]+$", var.slack_signing_secret_parameter_name)) && length(coalesce(var.slack_signing_secret_parameter_name, "-")) <= 1011)
    error_message = "slack_signing_secret_parameter_name must be an SSM parameter name (letters, digits, _ . - /), e.g. \"/slack/jit-access/signing-secret\"; not an ARN."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Rules and behaviour (rendered into the config object, see config.tf)
# ---------------------------------------------------------------------------------------------------------

variable "rules" {
  description = <<-EOT
    Who may request which permission sets on which accounts, and who approves. Each rule:
    `accounts` (12-digit ids, OU ids or "*"), `exclude_accounts`, `permission_sets` (names or "*"),
    `approvers` (emails), `required_approvals` (distinct approvers needed, default 1),
    `allow_self_approval`, `approval_not_required`, `max_duration` (e.g. "2h"), `reason_min_length`,
    `ticket_pattern` (a regular expression the reason must contain), and an optional `id` (derived from
    the targets when empty). Null booleans and limits fall back to the defaults; `false` in any matching
    rule overrides `true` in others. The README's "Rules" section explains how rules combine.
  EOT
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
  nullable = false

  validation {
    condition     = length(var.rules) + length(var.group_rules) > 0
    error_message = "rules (or group_rules) must hold at least one rule: without rules nobody can request access."
  }
  validation {
    condition = alltrue([for rule in var.rules : length(rule.accounts) > 0 && alltrue([
      for account in concat(rule.accounts, rule.exclude_accounts) :
      can(regex("^([0-9]{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\\*)$", account))
    ])])
    error_message = "Every rule needs `accounts`, and each entry of `accounts` and `exclude_accounts` must be a 12-digit account id (as a string, e.g. \"111111111111\"), an OU id (\"ou-abcd-12345678\") or \"*\". Offending rules: ${join(", ", flatten([for i, rule in var.rules : [for field, accounts in { accounts = rule.accounts, exclude_accounts = rule.exclude_accounts } : "rules[${i}] (${rule.id == "" ? "no id" : rule.id}).${field}" if !((field != "accounts" || length(accounts) > 0) && alltrue([for account in accounts : can(regex("^([0-9]{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\\*)$", account))]))]]))}."
  }
  validation {
    condition = alltrue([for rule in var.rules : length(rule.permission_sets) > 0 && alltrue([
      for name in rule.permission_sets : can(regex("^([A-Za-z0-9+=,.@_-]{1,32}|\\*)$", name))
    ])])
    error_message = "Every rule needs `permission_sets`: permission set names as shown in IAM Identity Center (up to 32 of A-Z a-z 0-9 + = , . @ _ -, e.g. \"AdministratorAccess\") or \"*\". Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (${rule.id == "" ? "no id" : rule.id}).permission_sets" if !(length(rule.permission_sets) > 0 && alltrue([for name in rule.permission_sets : can(regex("^([A-Za-z0-9+=,.@_-]{1,32}|\\*)$", name))]))])}."
  }
  validation {
    condition = alltrue([for rule in var.rules : alltrue([
      for email in rule.approvers : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))
    ])])
    error_message = "Every entry of a rule's `approvers` must be an email address (the approver's Identity Center and Slack email), e.g. \"bob@example.com\". Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (${rule.id == "" ? "no id" : rule.id}).approvers" if !(alltrue([for email in rule.approvers : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))]))])}."
  }
  validation {
    condition = alltrue([
      for rule in var.rules : floor(rule.required_approvals) == rule.required_approvals && rule.required_approvals >= 1 && rule.required_approvals <= 10
    ])
    error_message = "A rule's `required_approvals` must be a whole number from 1 to 10. Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (${rule.id == "" ? "no id" : rule.id}).required_approvals" if !(floor(rule.required_approvals) == rule.required_approvals && rule.required_approvals >= 1 && rule.required_approvals <= 10)])}."
  }
  validation {
    condition = alltrue([
      for rule in var.rules : rule.approval_not_required == true || length(distinct([for e in rule.approvers : lower(e)])) >= rule.required_approvals
    ])
    error_message = "A rule that needs approval must list at least `required_approvals` distinct `approvers` (or set `approval_not_required = true`); otherwise its requests can never be approved. Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (${rule.id == "" ? "no id" : rule.id}).approvers" if !(rule.approval_not_required == true || length(distinct([for e in rule.approvers : lower(e)])) >= rule.required_approvals)])}."
  }
  validation {
    condition = alltrue([
      for rule in var.rules : rule.max_duration == null || (can(regex("^([0-9]{1,3}h)?([0-9]{1,4}m)?$", rule.max_duration)) && can(regex("[1-9]", rule.max_duration)))
    ])
    error_message = "A rule's `max_duration` must be a duration longer than zero in hours and/or minutes such as \"30m\", \"2h\" or \"1h30m\" (up to 3 digits of hours and 4 of minutes). Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (${rule.id == "" ? "no id" : rule.id}).max_duration" if !(rule.max_duration == null || (can(regex("^([0-9]{1,3}h)?([0-9]{1,4}m)?$", coalesce(rule.max_duration, "1h"))) && can(regex("[1-9]", coalesce(rule.max_duration, "1h")))))])}."
  }
  validation {
    condition = alltrue([
      for rule in var.rules : rule.reason_min_length == null || (floor(coalesce(rule.reason_min_length, 0)) == rule.reason_min_length && coalesce(rule.reason_min_length, 0) >= 0 && coalesce(rule.reason_min_length, 0) <= 3000)
    ])
    error_message = "A rule's `reason_min_length` must be a whole number from 0 to 3000 characters. Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (${rule.id == "" ? "no id" : rule.id}).reason_min_length" if !(rule.reason_min_length == null || (floor(coalesce(rule.reason_min_length, 0)) == rule.reason_min_length && coalesce(rule.reason_min_length, 0) >= 0 && coalesce(rule.reason_min_length, 0) <= 3000))])}."
  }
  validation {
    condition     = alltrue([for rule in var.rules : can(regex("^[A-Za-z0-9._-]{0,64}$", rule.id))])
    error_message = "A rule's `id` must be up to 64 letters, digits, dots, underscores and hyphens, e.g. \"prod-admin\" (or left out to derive one). Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}].id" if !can(regex("^[A-Za-z0-9._-]{0,64}$", rule.id))])}."
  }
  validation {
    condition     = length(compact([for rule in var.rules : rule.id])) == length(distinct(compact([for rule in var.rules : rule.id])))
    error_message = "Rule ids must be unique: give each rule its own `id`, or leave it out to derive one. Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (${rule.id}).id" if rule.id != "" && length([for other in var.rules : other if other.id == rule.id]) > 1])}."
  }
  validation {
    # The functions derive a missing id from accounts, exclude_accounts and permission_sets, and refuse a
    # config whose ids repeat: two such rules would stop both functions at every cold start.
    condition = length([for rule in var.rules : jsonencode([rule.accounts, rule.exclude_accounts, rule.permission_sets]) if rule.id == ""]) == length(distinct([
      for rule in var.rules : jsonencode([rule.accounts, rule.exclude_accounts, rule.permission_sets]) if rule.id == ""
    ]))
    error_message = "Two rules without an `id` have the same accounts, exclude_accounts and permission_sets, so the id derived for each would be the same: give them their own `id`. Offending rules: ${join(", ", [for i, rule in var.rules : "rules[${i}] (no id)" if rule.id == "" && length([for other in var.rules : other if other.id == "" && jsonencode([other.accounts, other.exclude_accounts, other.permission_sets]) == jsonencode([rule.accounts, rule.exclude_accounts, rule.permission_sets])]) > 1])}."
  }
}

variable "group_rules" {
  description = <<-EOT
    Who may become a member of which IAM Identity Center groups for a while, and who approves. Each group
    rule: `groups` (group display names or group ids), then the keys of a rule with the same meaning
    (`approvers`, `required_approvals`, `allow_self_approval`, `approval_not_required`, `max_duration`,
    `reason_min_length`, `ticket_pattern`, `id`). A group request is decided by the group rules only, an
    account request by `rules` only. Empty (the default): the request form offers no groups.
  EOT
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

  validation {
    condition = alltrue([for rule in var.group_rules : length(rule.groups) > 0 && alltrue([
      for group in rule.groups : length(group) <= 1024 && trimspace(group) != "" && !can(regex("[[:cntrl:]]", group))
    ])])
    error_message = "Every group rule needs `groups`: Identity Center group display names (e.g. \"Oncall\") or group ids, each 1 to 1024 characters without control characters. Offending group rules: ${join(", ", [for i, rule in var.group_rules : "group_rules[${i}] (${rule.id == "" ? "no id" : rule.id}).groups" if !(length(rule.groups) > 0 && alltrue([for group in rule.groups : length(group) <= 1024 && trimspace(group) != "" && !can(regex("[[:cntrl:]]", group))]))])}."
  }
  validation {
    condition = alltrue([for rule in var.group_rules : alltrue([
      for email in rule.approvers : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))
    ])])
    error_message = "Every entry of a group rule's `approvers` must be an email address, e.g. \"bob@example.com\". Offending group rules: ${join(", ", [for i, rule in var.group_rules : "group_rules[${i}] (${rule.id == "" ? "no id" : rule.id}).approvers" if !alltrue([for email in rule.approvers : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])])}."
  }
  validation {
    condition = alltrue([
      for rule in var.group_rules : floor(rule.required_approvals) == rule.required_approvals && rule.required_approvals >= 1 && rule.required_approvals <= 10
    ])
    error_message = "A group rule's `required_approvals` must be a whole number from 1 to 10. Offending group rules: ${join(", ", [for i, rule in var.group_rules : "group_rules[${i}] (${rule.id == "" ? "no id" : rule.id}).required_approvals" if !(floor(rule.required_approvals) == rule.required_approvals && rule.required_approvals >= 1 && rule.required_approvals <= 10)])}."
  }
  validation {
    condition = alltrue([
      for rule in var.group_rules : rule.approval_not_required == true || length(distinct([for e in rule.approvers : lower(e)])) >= rule.required_approvals
    ])
    error_message = "A group rule that needs approval must list at least `required_approvals` distinct `approvers` (or set `approval_not_required = true`); otherwise its requests can never be approved. Offending group rules: ${join(", ", [for i, rule in var.group_rules : "group_rules[${i}] (${rule.id == "" ? "no id" : rule.id}).approvers" if !(rule.approval_not_required == true || length(distinct([for e in rule.approvers : lower(e)])) >= rule.required_approvals)])}."
  }
  validation {
    condition = alltrue([
      for rule in var.group_rules : rule.max_duration == null || (can(regex("^([0-9]{1,3}h)?([0-9]{1,4}m)?$", rule.max_duration)) && can(regex("[1-9]", rule.max_duration)))
    ])
    error_message = "A group rule's `max_duration` must be a duration longer than zero in hours and/or minutes such as \"30m\", \"2h\" or \"1h30m\". Offending group rules: ${join(", ", [for i, rule in var.group_rules : "group_rules[${i}] (${rule.id == "" ? "no id" : rule.id}).max_duration" if !(rule.max_duration == null || (can(regex("^([0-9]{1,3}h)?([0-9]{1,4}m)?$", coalesce(rule.max_duration, "1h"))) && can(regex("[1-9]", coalesce(rule.max_duration, "1h")))))])}."
  }
  validation {
    condition = alltrue([
      for rule in var.group_rules : rule.reason_min_length == null || (floor(coalesce(rule.reason_min_length, 0)) == rule.reason_min_length && coalesce(rule.reason_min_length, 0) >= 0 && coalesce(rule.reason_min_length, 0) <= 3000)
    ])
    error_message = "A group rule's `reason_min_length` must be a whole number from 0 to 3000 characters. Offending group rules: ${join(", ", [for i, rule in var.group_rules : "group_rules[${i}] (${rule.id == "" ? "no id" : rule.id}).reason_min_length" if !(rule.reason_min_length == null || (floor(coalesce(rule.reason_min_length, 0)) == rule.reason_min_length && coalesce(rule.reason_min_length, 0) >= 0 && coalesce(rule.reason_min_length, 0) <= 3000))])}."
  }
  validation {
    condition     = alltrue([for rule in var.group_rules : can(regex("^[A-Za-z0-9._-]{0,64}$", rule.id))])
    error_message = "A group rule's `id` must be up to 64 letters, digits, dots, underscores and hyphens, e.g. \"oncall\" (or left out to derive one). Offending group rules: ${join(", ", [for i, rule in var.group_rules : "group_rules[${i}].id" if !can(regex("^[A-Za-z0-9._-]{0,64}$", rule.id))])}."
  }
  validation {
    condition     = length(compact([for rule in var.group_rules : rule.id])) == length(distinct(compact([for rule in var.group_rules : rule.id])))
    error_message = "Group rule ids must be unique: give each group rule its own `id`, or leave it out to derive one."
  }
  validation {
    # The functions derive a missing id from the groups, and refuse a config whose ids repeat.
    condition = length([for rule in var.group_rules : jsonencode(rule.groups) if rule.id == ""]) == length(distinct([
      for rule in var.group_rules : jsonencode(rule.groups) if rule.id == ""
    ]))
    error_message = "Two group rules without an `id` have the same `groups`, so the id derived for each would be the same: give them their own `id`."
  }
}

variable "default_max_duration" {
  description = "Longest access a request may ask for when no matching rule sets `max_duration`."
  type        = string
  default     = "8h"
  nullable    = false

  validation {
    condition     = can(regex("^([0-9]{1,3}h)?([0-9]{1,4}m)?$", var.default_max_duration)) && can(regex("[1-9]", var.default_max_duration))
    error_message = "default_max_duration must be a duration longer than zero in hours and/or minutes such as \"8h\", \"90m\" or \"1h30m\" (up to 3 digits of hours and 4 of minutes)."
  }
}

variable "duration_choices" {
  description = "Durations offered in the Slack request form; longer ones than a rule allows are refused at submit."
  type        = list(string)
  default     = ["30m", "1h", "2h", "4h", "8h"]
  nullable    = false

  validation {
    condition     = length(var.duration_choices) > 0 && alltrue([for d in var.duration_choices : can(regex("^([0-9]{1,3}h)?([0-9]{1,4}m)?$", d)) && can(regex("[1-9]", d))])
    error_message = "duration_choices must hold at least one duration, each longer than zero in hours and/or minutes such as \"30m\", \"1h\" or \"1h30m\" (up to 3 digits of hours and 4 of minutes)."
  }
}

variable "reconcile_mode" {
  description = "What the periodic reconcile does with a grant past its end that its schedule did not revoke: \"warn\" only logs it (use while rolling out), \"enforce\" revokes it."
  type        = string
  default     = "warn"
  nullable    = false

  validation {
    condition     = contains(["warn", "enforce"], var.reconcile_mode)
    error_message = "reconcile_mode must be \"warn\" or \"enforce\"."
  }
}

variable "reconcile_schedule_expression" {
  description = "How often the revoker reconciles grants with their end times (an EventBridge rate() or cron() expression). Shorten it to close the gap if a revoke schedule ever fails."
  type        = string
  default     = "rate(15 minutes)"
  nullable    = false

  validation {
    condition     = can(regex("^(rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.reconcile_schedule_expression))
    error_message = "reconcile_schedule_expression must be an EventBridge schedule expression such as \"rate(15 minutes)\" or \"cron(0/10 * * * ? *)\"."
  }
}

variable "account_names" {
  description = "Friendly names shown in Slack for account ids, e.g. { \"111111111111\" = \"production\" }. Accounts not listed are shown by the name Organizations gives them, or their id."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for id, name in var.account_names : can(regex("^[0-9]{12}$", id)) && trimspace(name) != ""])
    error_message = "account_names keys must be 12-digit account ids (quoted, e.g. \"111111111111\") and values non-empty names."
  }
}

# ---------------------------------------------------------------------------------------------------------
# IAM Identity Center
# ---------------------------------------------------------------------------------------------------------

variable "sso_instance_arn" {
  description = "ARN of the IAM Identity Center instance. Null: discovered in the account and region the provider points at (the management account or the delegated administrator, in the Identity Center home region)."
  type        = string
  default     = null

  validation {
    condition     = var.sso_instance_arn == null || can(regex("^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$", var.sso_instance_arn))
    error_message = "sso_instance_arn must be an Identity Center instance ARN, e.g. \"arn:aws:sso:::instance/ssoins-1234567890abcdef\" (aws sso-admin list-instances)."
  }
}

variable "identity_store_id" {
  description = "Id of the identity store of the Identity Center instance (e.g. \"d-1234567890\"). Set it together with sso_instance_arn, or leave both null to discover them."
  type        = string
  default     = null

  validation {
    condition     = var.identity_store_id == null || can(regex("^d-[0-9a-z]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.identity_store_id))
    error_message = "identity_store_id must look like \"d-1234567890\" (aws sso-admin list-instances)."
  }
  validation {
    condition     = (var.identity_store_id == null) == (var.sso_instance_arn == null)
    error_message = "Set identity_store_id and sso_instance_arn together, or leave both null to discover them."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Lambda functions and their package
# ---------------------------------------------------------------------------------------------------------

variable "lambda_runtime" {
  description = "Python runtime of both functions. The package is built with binary wheels for this version."
  type        = string
  default     = "python3.13"
  nullable    = false

  validation {
    condition     = contains(["python3.11", "python3.12", "python3.13"], var.lambda_runtime)
    error_message = "lambda_runtime must be one of \"python3.11\", \"python3.12\", \"python3.13\"."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of both functions. arm64 (Graviton) costs about 20% less per GB-second; choose x86_64 only if you must (the package is built for either on any machine)."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be \"arm64\" or \"x86_64\"."
  }
}

variable "lambda_package_path" {
  description = "Path of a prebuilt deployment zip (from `python3 lambda/build_package.py`) used for both functions. Null: `terraform apply` builds it with python3 and pip (needs PyPI access, or wheels cached by an earlier build)."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_path == null || can(regex("\\.zip$", var.lambda_package_path))
    error_message = "lambda_package_path must be the path of a .zip file, or null to build the package during apply."
  }
}

variable "package_build_python" {
  description = "Python (3.11 or newer, with pip) that builds the package during apply. Change it when `python3` on the machine running Terraform is older or lacks pip, e.g. \"python3.12\" or a virtualenv's python."
  type        = string
  default     = "python3"
  nullable    = false

  validation {
    condition     = trimspace(var.package_build_python) != ""
    error_message = "package_build_python must name a Python executable, e.g. \"python3\"."
  }
}

variable "requester_memory_size" {
  description = "Memory of the requester in MB. CPU scales with it: more memory shortens cold starts and the Slack round trips (Slack waits 3 s for an answer)."
  type        = number
  default     = 512
  nullable    = false

  validation {
    condition     = var.requester_memory_size >= 128 && var.requester_memory_size <= 10240 && floor(var.requester_memory_size) == var.requester_memory_size
    error_message = "requester_memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "requester_timeout" {
  description = "Timeout of the requester in seconds. It bounds queue work (grant, wait for Identity Center, schedule); the queue's visibility timeout is six times this."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.requester_timeout >= 30 && var.requester_timeout <= 900 && floor(var.requester_timeout) == var.requester_timeout
    error_message = "requester_timeout must be a whole number of seconds from 30 (Identity Center assignments take several seconds) to 900."
  }
}

variable "revoker_memory_size" {
  description = "Memory of the revoker in MB."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.revoker_memory_size >= 128 && var.revoker_memory_size <= 10240 && floor(var.revoker_memory_size) == var.revoker_memory_size
    error_message = "revoker_memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "revoker_timeout" {
  description = "Timeout of the revoker in seconds. The reconcile reads every recent request; raise it if many requests are made per day."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.revoker_timeout >= 30 && var.revoker_timeout <= 900 && floor(var.revoker_timeout) == var.revoker_timeout
    error_message = "revoker_timeout must be a whole number of seconds from 30 to 900."
  }
}

variable "log_level" {
  description = "Log level of both functions (JIT_ACCESS_LOG_LEVEL). DEBUG logs more of each step, never secrets or full Slack payloads."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be one of \"DEBUG\", \"INFO\", \"WARNING\", \"ERROR\"."
  }
}

variable "log_retention_in_days" {
  description = "Days CloudWatch Logs keeps the functions' logs and the API access logs. The audit trail itself is in S3; these logs are for operations."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

# ---------------------------------------------------------------------------------------------------------
# API and queue
# ---------------------------------------------------------------------------------------------------------

variable "api_throttling_burst_limit" {
  description = "Burst limit (requests) of the Slack endpoint. Slack sends one request per click; raise it only for very large workspaces."
  type        = number
  default     = 50
  nullable    = false

  validation {
    condition     = var.api_throttling_burst_limit >= 1 && var.api_throttling_burst_limit <= 5000 && floor(var.api_throttling_burst_limit) == var.api_throttling_burst_limit
    error_message = "api_throttling_burst_limit must be a whole number from 1 to 5000."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady-state rate limit (requests per second) of the Slack endpoint."
  type        = number
  default     = 20
  nullable    = false

  validation {
    condition     = var.api_throttling_rate_limit > 0 && var.api_throttling_rate_limit <= 10000
    error_message = "api_throttling_rate_limit must be a number of requests per second above 0 and at most 10000."
  }
}

variable "queue_max_receive_count" {
  description = "Attempts at a piece of queued work before it moves to the dead-letter queue (and the dead-letter alarm fires)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.queue_max_receive_count >= 1 && var.queue_max_receive_count <= 1000 && floor(var.queue_max_receive_count) == var.queue_max_receive_count
    error_message = "queue_max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "queue_event_source_mapping_enabled" {
  description = "Whether the queue triggers the requester (the event source mapping's `enabled`). Keep it true; the local stack sets it false because it drains the queue itself."
  type        = bool
  default     = true
  nullable    = false
}

variable "dead_letter_alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when work lands in the dead-letter queue, which means a request could not be completed. Empty: the alarm exists but notifies nobody."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.dead_letter_alarm_actions : can(regex("^arn:aws[a-z-]*:", arn))])
    error_message = "dead_letter_alarm_actions must be ARNs, e.g. \"arn:aws:sns:eu-west-1:111111111111:oncall\"."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Audit bucket and encryption
# ---------------------------------------------------------------------------------------------------------

variable "audit_bucket_name" {
  description = "Name of an existing S3 bucket for the audit trail and the config object (it should have versioning, encryption, public access blocked and Object Lock). Null: the module creates one."
  type        = string
  default     = null

  validation {
    condition     = var.audit_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.audit_bucket_name))
    error_message = "audit_bucket_name must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)."
  }
}

variable "create_audit_bucket_policy" {
  description = "Whether the audit bucket the module creates gets the bucket policy refusing every request not made over TLS. Keep true; only the local stack sets false, because its emulator evaluates the policy's condition as always denying."
  type        = bool
  default     = true
  nullable    = false
}

variable "audit_object_lock_mode" {
  description = "Default Object Lock retention mode of the audit bucket the module creates. GOVERNANCE lets specially permitted users remove objects; COMPLIANCE lets nobody, not even the root user, until retention ends."
  type        = string
  default     = "GOVERNANCE"
  nullable    = false

  validation {
    condition     = contains(["GOVERNANCE", "COMPLIANCE"], var.audit_object_lock_mode)
    error_message = "audit_object_lock_mode must be \"GOVERNANCE\" or \"COMPLIANCE\"."
  }
}

variable "audit_object_lock_retention_days" {
  description = "Days every audit object is protected from deletion and overwrite in the bucket the module creates. Match it to your audit requirement (e.g. 2190 for six years)."
  type        = number
  default     = 400
  nullable    = false

  validation {
    condition     = var.audit_object_lock_retention_days >= 1 && var.audit_object_lock_retention_days <= 36500 && floor(var.audit_object_lock_retention_days) == var.audit_object_lock_retention_days
    error_message = "audit_object_lock_retention_days must be a whole number of days from 1 to 36500."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key for the audit bucket, the queues and the Slack parameters the module creates; the functions get kms:Decrypt and kms:GenerateDataKey on it. Null: S3-managed, SQS-managed and AWS-managed (aws/ssm) encryption."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN, e.g. \"arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab\" (not an alias)."
  }
}
