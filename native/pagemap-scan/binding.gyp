{
  "targets": [
    {
      "target_name": "pagemap_scan",
      "sources": ["pagemap_scan.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
