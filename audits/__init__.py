"""Audits over the register: photo quality (per photo and per nominal) and compliance
(MAPPA reviews, incomplete records, wanted/missing, partner contributions), with printable
reports. Reads the register and the stored photo metrics; writes nothing."""
