"""The scheduler service: schedules as data (TOML), APScheduler 3.11, one subprocess per crawl."""
