"""The evaluation survey (满意度测评): a questionnaire per session, answered once per enrollment through the
teacher's signed link, with results, a per-county breakdown and an XLSX export for organisers (docs/survey.md)."""
