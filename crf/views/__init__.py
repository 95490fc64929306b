"""Pages of the crf module: visits, eCRF entry, worklist, calendar, schedule grid."""
