import { Counter, Histogram, type Registry } from 'prom-client';
import type { ArchiverObserver } from './archiver.js';

/** The archiver's metrics, registered in `registry`; labels are failure reasons, never keys or URLs. */
export function createArchiveMetrics(registry: Registry): ArchiverObserver {
  const started = new Counter({ name: 'archives_started_total', help: 'Video downloads started (archives found in the store not counted).', registers: [registry] });
  const succeeded = new Counter({ name: 'archives_succeeded_total', help: 'Videos archived.', registers: [registry] });
  const failed = new Counter({ name: 'archives_failed_total', help: 'Archives that failed for good, by reason.', labelNames: ['reason'] as const, registers: [registry] });
  const bytes = new Counter({ name: 'archive_bytes_total', help: 'Bytes of videos archived.', registers: [registry] });
  const duration = new Histogram({
    name: 'archive_download_duration_seconds',
    help: 'Time from the start of a download to the archive stored, retries included.',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  return {
    started: () => started.inc(),
    archived(sizeBytes, seconds) {
      succeeded.inc();
      bytes.inc(sizeBytes);
      duration.observe(seconds);
    },
    failed: (reason) => failed.inc({ reason }),
  };
}
