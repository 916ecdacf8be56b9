"""Case records: the local store a clinic keeps its cases in.

- journal: a TinyDB storage that appends each change to a journal beside a snapshot
  (crash-safe, fast at 50,000 cases), optionally encrypted (crypto).
- casestore: cases, versions, status workflows, consents, documents, the audit trail.
- index: a derived SQLite index for fast cold `case show` / `case list`.
- workflows, consent, documents, report: one job each.

Nothing here ever puts a personal value (a name, a number, free text) in an error
message, a log line, an audit entry or a report.
"""
