variable "region" {
  description = "Home region of IAM Identity Center."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "slack_team_id" {
  description = "Id of the Slack workspace, e.g. \"T0123ABCD\"."
  type        = string
  nullable    = false
}

variable "slack_channel_id" {
  description = "Id of the channel the two of you share for requests, e.g. \"C0123ABCD\"."
  type        = string
  nullable    = false
}
