"""jit-access: just-in-time AWS access through IAM Identity Center, requested and approved in Slack."""

__version__ = "0.1.0"
