"""The REST API's shared plumbing, below both apps: base classes, permissions,
schema helpers and the one router of /api/v1/."""
