package dev.gander.ratelimit;

import java.time.Instant;

/**
 * The answer of {@link dev.gander.Gander#rateLimit}: whether this call is allowed, and what is
 * left.
 *
 * @param allowed whether the call is within the limit (it was counted either way)
 * @param remaining calls still allowed in this window
 * @param resetAt when the window ends and the count starts again
 */
public record RateLimitDecision(boolean allowed, long remaining, Instant resetAt) {}
