"""CDISC ODM 1.3.2: metadata and clinical data export, and a reader for round trips (docs/odm.md)."""
