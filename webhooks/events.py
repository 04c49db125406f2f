"""Filled in by the webhooks helper: signals -> deliveries."""
