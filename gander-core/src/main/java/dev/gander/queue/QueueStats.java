package dev.gander.queue;

import java.time.Duration;

/**
 * Counts of a queue's jobs at one moment, read in one snapshot.
 *
 * @param ready claimable now
 * @param scheduled waiting for their run time (delayed, or retrying with backoff)
 * @param running claimed and leased to a worker
 * @param dead in the dead-letter table
 * @param oldestReadyAge how long the oldest claimable job has been claimable; zero when none is
 */
public record QueueStats(
    long ready, long scheduled, long running, long dead, Duration oldestReadyAge) {}
