"""Photos: content sniffing against an allow-list, the content-addressed blob store, and
(with the imaging issue) safe decoding, perceptual hashes and quality metrics.

It never touches the database.
"""
