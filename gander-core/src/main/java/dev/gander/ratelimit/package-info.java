/**
 * Rate limits across processes (and machines, on PostgreSQL): at most {@code limit} calls per key
 * in each fixed window of time, counted atomically in the database.
 */
@NullMarked
package dev.gander.ratelimit;

import org.jspecify.annotations.NullMarked;
