/**
 * Durable job queues: enqueue, claim with a lease, acknowledge, retry with backoff, dead letters,
 * results, blocking waits woken by commits, and managed worker pools.
 *
 * <p>Delivery is at least once: a job whose worker dies is claimed again after its lease runs out,
 * and a late acknowledgement from a worker that lost its lease is rejected with {@link
 * dev.gander.LeaseLostException}, so a job is finished exactly once.
 */
@NullMarked
package dev.gander.queue;

import org.jspecify.annotations.NullMarked;
