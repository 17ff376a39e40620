package dev.gander.internal.queue;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.WakeKey;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweep of one database: recovers leases that ran out and jobs that expired, under the rules of
 * {@link JobLifecycle}, and purges expired records. Run by the {@link Sweeper} thread of any
 * process; each sweep is one transaction.
 */
final class JobSweep {
  private static final Logger log = LoggerFactory.getLogger(JobSweep.class);

  private final JobLifecycle life;

  JobSweep(JobLifecycle life) {
    this.life = life;
  }

  /**
   * Recovers what nobody will settle: a lease granted after now is shortened (the clock stepped
   * back); a lease that ran out makes its job claimable again, or dead-letters it ({@code
   * lease-expired}) when that was its last attempt; a waiting job past its expiry is dead-lettered
   * ({@code expired}, or {@code expired-while-retrying} after a failed attempt); expired results
   * and records are purged.
   *
   * @return how many rows changed
   */
  public int sweep() {
    return life.tx.runWrite(
        t -> {
          long now = life.clock.millis();
          int changed = 0;
          int clamped = life.ops.clampLeases(t, now);
          if (clamped > 0) {
            log.warn(
                "The clock stepped back: {} lease(s) granted later than now were shortened to"
                    + " one lease length from now",
                clamped);
            changed += clamped;
          }
          Set<String> requeued = new HashSet<>();
          Set<String> ended = new HashSet<>();
          for (JobOps.Stale s : life.ops.expiredLeases(t, now)) {
            if (s.attempt() >= s.maxAttempts()) {
              // A worker that died leaves no error: say what happened instead.
              String error = s.lastError() == null ? "lease expired" : null;
              if (life.ops.bury(t, s.id(), s.token(), error, JobLifecycle.LEASE_EXPIRED, now)) {
                ended.add(s.queue());
                changed++;
              }
            } else if (life.ops.requeueExpiredLease(t, s.id(), s.token())) {
              requeued.add(s.queue());
              changed++;
            }
          }
          for (JobOps.Stale s : life.ops.expiredWaiting(t, now)) {
            String reason =
                s.attempt() == 0 ? JobLifecycle.EXPIRED : JobLifecycle.EXPIRED_WHILE_RETRYING;
            if (life.ops.bury(t, s.id(), -1, null, reason, now)) {
              ended.add(s.queue());
              changed++;
            }
          }
          changed += life.ops.purgeSucceeded(t, now);
          for (String q : requeued) {
            life.changed(t, new WakeKey.QueueWork(q));
          }
          for (String q : ended) {
            life.ended(t, q);
          }
          return changed;
        });
  }

  /**
   * The earliest time at which {@link #sweep()} has something to do, read without writing.
   *
   * @return epoch milliseconds, or {@link Long#MAX_VALUE} if nothing is pending
   */
  public long nextSweepAt() {
    long now = life.clock.millis();
    return life.tx.runRead(t -> life.ops.nextSweepAt(t, now));
  }
}
