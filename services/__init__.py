"""Use cases: each function takes its dependencies (a session, a matcher, a mailer) and returns plain data."""
