"""Feed ingestion: files -> landing zone -> contract checks -> accepted rows and quarantine."""
