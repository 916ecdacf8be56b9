"""Forms: from a YAML case file to the documents a registrar or a shelter will accept.

Modules (each with one job; heavy libraries are imported inside the functions that
need them):
- definitions: form definitions (forms/*.yaml) read and checked; load_forms, get_form
- fields: field types, conversions from text, the values templates see
- casefile: reading and checking a case file (check_case, read_case)
- thai: Buddhist Era dates, Thai/Burmese digits and months, titles, the 13-digit ID
- expressions: the sandboxed Jinja environment, its filters, the static template check
- render: filling one template (docxtpl), reproducible .docx bytes
- fill: many cases at once, safe output names, the documents log
- pdf: LibreOffice conversion
- intake: `clinic case new` skeletons and the `clinic case intake` interview
"""
