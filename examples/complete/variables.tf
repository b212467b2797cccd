variable "region" {
  description = "Home region of IAM Identity Center: the module discovers the instance there."
  type        = string
  default     = "eu-west-1"
  nullable    = false
}

variable "slack_team_id" {
  description = "Id of the company's Slack workspace, e.g. \"T0123ABCD\"."
  type        = string
  nullable    = false
}

variable "slack_channel_id" {
  description = "Id of the channel where requests are approved, e.g. \"C0123ABCD\" for #aws-access."
  type        = string
  nullable    = false
}

variable "oncall_topic_arns" {
  description = "SNS topics paged when a request could not be completed (work in the dead-letter queue)."
  type        = list(string)
  default     = []
  nullable    = false
}
