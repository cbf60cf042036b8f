"""Query model and free-text parser, vocabularies, candidate backends (memory, OpenSearch),
the one scoring function with its explanations, and photo search. It never writes to the
register.
"""
