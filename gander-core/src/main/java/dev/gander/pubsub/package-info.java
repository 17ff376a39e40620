/**
 * Ephemeral publish/subscribe: {@link dev.gander.Gander#notify(String, Object)} reaches every
 * {@link dev.gander.pubsub.Listener} of that channel, in every process sharing the database, that
 * was listening when the notification was sent (committed). Not durable: a listener that starts
 * later never sees it, and old notifications are pruned.
 */
@NullMarked
package dev.gander.pubsub;

import org.jspecify.annotations.NullMarked;
