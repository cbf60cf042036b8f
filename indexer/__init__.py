"""Register record -> search document; bulk and incremental sync from the register's outbox;
index lifecycle (versioned index + alias swap). It scores nothing.
"""
