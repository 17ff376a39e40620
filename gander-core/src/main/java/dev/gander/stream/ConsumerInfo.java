package dev.gander.stream;

import java.time.Instant;

/**
 * A consumer of a stream and how far behind it is.
 *
 * @param name the consumer
 * @param offset its committed offset
 * @param lag events published after it: {@link Stream#latest()} minus {@code offset}
 * @param updatedAt when it last moved its offset
 */
public record ConsumerInfo(String name, long offset, long lag, Instant updatedAt) {}
