"""FastAPI application: authentication, versioned routes under /api/v1, and the server-rendered
web UI. Business rules live in the domain packages so that the CLI shares them.
"""
