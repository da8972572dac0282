"""The bank's audits: onboarding applications checked against attested government-registry records."""
