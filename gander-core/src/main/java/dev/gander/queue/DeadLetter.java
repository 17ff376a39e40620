package dev.gander.queue;

import java.time.Instant;
import java.util.Optional;

/**
 * A job that will not run again unless requeued.
 *
 * @param id the job's id, kept from when it was live
 * @param queue the queue it belonged to
 * @param payloadJson its payload
 * @param attempts how many times it was claimed
 * @param reason why it died: {@code failed}, {@code expired} or {@code lease-expired}
 * @param lastError the last error recorded for it, if any
 * @param enqueuedAt when it was first enqueued
 * @param diedAt when it was dead-lettered
 */
public record DeadLetter(
    JobId id,
    String queue,
    String payloadJson,
    int attempts,
    String reason,
    Optional<String> lastError,
    Instant enqueuedAt,
    Instant diedAt) {}
