package dev.gander.lock;

import java.time.Instant;

/**
 * A lock held now, as {@link dev.gander.Gander#locks()} lists it.
 *
 * @param name the lock's name
 * @param owner who holds it
 * @param expiresAt when it runs out unless extended
 * @param fencingToken the holder's fencing token
 */
public record LockInfo(String name, String owner, Instant expiresAt, long fencingToken) {}
