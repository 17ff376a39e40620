/**
 * Durable streams: append-only logs of events with offsets 1, 2, 3 … per stream, assigned at
 * commit, gap-free, and a committed offset per consumer.
 *
 * <p>A {@link dev.gander.stream.Subscription} delivers the events after its consumer's committed
 * offset, history first and then live as commits land, with no gap and no duplicate. It reads from
 * storage, so a slow subscriber never loses events; only events compacted away before it read them
 * are reported, with {@link dev.gander.stream.ConsumerLaggedException}.
 */
@NullMarked
package dev.gander.stream;

import org.jspecify.annotations.NullMarked;
