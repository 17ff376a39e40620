/**
 * Advisory locks across processes (and machines, on PostgreSQL), with a time to live and a fencing
 * token per acquisition.
 *
 * <p>A lock is held until released or until its time to live runs out; its holder extends it with
 * {@link dev.gander.lock.Lock#heartbeat}. Every acquisition of a name gets a fencing token larger
 * than any before it, so a system the holder writes to can refuse a holder whose lock ran out while
 * it was paused.
 */
@NullMarked
package dev.gander.lock;

import org.jspecify.annotations.NullMarked;
