"""Pure text functions shared by ingest, the index and the answers: sentences, languages."""
